/**
 * The budget's tables, described once for both databases (table-schema.ts renders them). They
 * live in the ledger's database, versioned apart from it as the "budget" module.
 *
 * Only open reservations live in budget_reservations (a handful: the requests in flight), so it
 * needs no index beyond its key; settling moves the amount into budget_spend, one row per period
 * and alias. Fewer indexes mean fewer pages written per request: on SQLite that is fewer WAL
 * checkpoints landing on a request, hence WITHOUT ROWID (one b-tree per table, not two).
 */
import type { SchemaModule } from "./table-schema.js";

export const BUDGET_SCHEMA: SchemaModule = {
  name: "budget",
  tables: [
    {
      name: "budget_reservations",
      primaryKey: ["id"],
      sqliteWithoutRowid: true,
      columns: [
        { name: "id", type: "text" },
        { name: "period_key", type: "text" },
        { name: "alias", type: "text" },
        { name: "amount_micro_usd", type: "bigint" },
        { name: "instance_id", type: "text" },
        { name: "started_at", type: "bigint" },
        { name: "expires_at", type: "bigint" },
      ],
    },
    {
      name: "budget_spend",
      primaryKey: ["period_key", "alias"],
      sqliteWithoutRowid: true,
      columns: [
        { name: "period_key", type: "text" },
        { name: "alias", type: "text" },
        { name: "settled_micro_usd", type: "bigint" },
        { name: "requests", type: "bigint" },
      ],
    },
    {
      name: "budget_alerts",
      primaryKey: ["period_key", "budget", "threshold_percent"],
      columns: [
        { name: "period_key", type: "text" },
        { name: "budget", type: "text" },
        { name: "threshold_percent", type: "real" },
        { name: "fired_at", type: "bigint" },
      ],
    },
    {
      name: "budget_instances",
      primaryKey: ["instance_id"],
      columns: [
        { name: "instance_id", type: "text" },
        { name: "hostname", type: "text" },
        { name: "pid", type: "bigint" },
        { name: "started_at", type: "bigint" },
        { name: "heartbeat_at", type: "bigint" },
      ],
    },
  ],
};
