/**
 * One upgrade suite, run against SQLite and PostgreSQL: a database written by release 0.1.0
 * (test/fixtures, made by make-release-0.1.0-fixtures.ts) opens with this release's openStores,
 * keeps every row, booking and alert, records its migration state in switchyard_migrations, ends
 * with the same tables as a database created now, takes new writes, and is not touched by a
 * second open. Several processes opening one database at once all succeed.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openStores } from "../../src/store/open-stores.js";
import {
  RELEASE_0_1_0_ALERTS,
  RELEASE_0_1_0_INSTANCE,
  RELEASE_0_1_0_PERIOD,
  RELEASE_0_1_0_ROWS,
  RELEASE_0_1_0_SPENDING,
} from "../fixtures/release-0.1.0-contents.js";
import { sampleRecord } from "./sample-record.js";

const CHILD_SCRIPT = fileURLToPath(new URL("./fixtures/open-stores-child.ts", import.meta.url));

export interface UpgradeSubject {
  /** A fresh copy of release 0.1.0's database: a file path or a `postgres://` URL. */
  releaseDatabase(): Promise<string>;
  /** A database with nothing in it. */
  emptyDatabase(): Promise<string>;
  /** Every table's columns (name, type, nullability, default, key) and indexes; no rows. */
  describeSchema(location: string): Promise<unknown>;
  /** The rows of switchyard_migrations, ordered by module. */
  migrationRows(location: string): Promise<Array<{ module: string; version: number }>>;
}

const CURRENT_VERSIONS = [
  { module: "budget", version: 1 },
  { module: "eval", version: 1 },
  { module: "ledger", version: 5 },
  { module: "runs", version: 1 },
];

/**
 * Whether `whole` holds everything in `part`: each key of an object, each element of an array
 * (somewhere in the other array), equal leaves. So a schema that only gained things contains
 * the one it grew from.
 */
function contains(whole: unknown, part: unknown): boolean {
  if (Array.isArray(part)) {
    return (
      Array.isArray(whole) && part.every((element) => whole.some((candidate) => contains(candidate, element)))
    );
  }
  if (part !== null && typeof part === "object") {
    if (whole === null || typeof whole !== "object" || Array.isArray(whole)) return false;
    return Object.entries(part).every(([key, value]) =>
      contains((whole as Record<string, unknown>)[key], value),
    );
  }
  return Object.is(whole, part);
}

export function describeStoreUpgrade(name: string, subject: UpgradeSubject) {
  describe(`a release 0.1.0 database: ${name}`, () => {
    const openAndClose = async (location: string) => (await openStores(location)).close();

    it("opens with every ledger row, booking and alert it had", async () => {
      const stores = await openStores(await subject.releaseDatabase());
      try {
        const startedAt = RELEASE_0_1_0_ROWS.map((row) => row.startedAt);
        expect(await stores.ledger.recent(100)).toEqual([...RELEASE_0_1_0_ROWS].reverse());
        expect(await stores.ledger.between(Math.min(...startedAt), Math.max(...startedAt) + 1)).toEqual(
          RELEASE_0_1_0_ROWS,
        );
        expect(await stores.budget.spending(RELEASE_0_1_0_PERIOD)).toEqual(RELEASE_0_1_0_SPENDING);
        expect(await stores.budget.firedAlerts(RELEASE_0_1_0_PERIOD)).toEqual(RELEASE_0_1_0_ALERTS);
        // Its instance row is there too, with its heartbeat: a minute later nothing counts as stale.
        expect(
          await stores.budget.clearStaleReservations(RELEASE_0_1_0_INSTANCE.startedAt + 60_000, 120_000),
        ).toBe(0);
      } finally {
        await stores.close();
      }
    });

    it("records its versions, keeps every table, column and index it had, and a second open changes nothing", async () => {
      const location = await subject.releaseDatabase();
      const before = await subject.describeSchema(location);
      await openAndClose(location);
      const after = {
        schema: await subject.describeSchema(location),
        versions: await subject.migrationRows(location),
      };
      expect(after.versions).toEqual(CURRENT_VERSIONS);
      // Later versions only add (columns, tables, indexes): everything of the release is still there.
      expect(contains(after.schema, before)).toBe(true);
      await openAndClose(location);
      expect({
        schema: await subject.describeSchema(location),
        versions: await subject.migrationRows(location),
      }).toEqual(after);
    });

    it("ends with the same tables and versions as a database this release creates", async () => {
      const [upgraded, created] = await Promise.all([subject.releaseDatabase(), subject.emptyDatabase()]);
      await openAndClose(upgraded);
      await openAndClose(created);
      expect(await subject.describeSchema(upgraded)).toEqual(await subject.describeSchema(created));
      expect(await subject.migrationRows(upgraded)).toEqual(await subject.migrationRows(created));
    });

    it("takes new rows, spend and alerts after the upgrade and keeps them with the old ones", async () => {
      const location = await subject.releaseDatabase();
      // Everything that release wrote happened before this.
      const latest = Math.max(
        ...RELEASE_0_1_0_ROWS.map((row) => row.startedAt),
        ...RELEASE_0_1_0_ALERTS.map((alert) => alert.firedAt),
      );
      const newRow = sampleRecord({
        id: "after-upgrade",
        startedAt: latest + 1,
        parentId: "req-error",
        attempt: 2,
      });
      const stores = await openStores(location);
      try {
        stores.ledger.record(newRow);
        const request = {
          id: "res-after-upgrade",
          periodKey: RELEASE_0_1_0_PERIOD,
          alias: "cloud-opus",
          amountMicroUsd: 50_000,
          caps: [{ name: "monthly", alias: null, limitMicroUsd: 10_000_000 }],
          instanceId: RELEASE_0_1_0_INSTANCE.instanceId,
          startedAt: latest,
          expiresAt: latest + 3_600_000,
        };
        expect(await stores.budget.reserve(request)).toEqual({ granted: true });
        await stores.budget.settle(request, 20_000);
        expect(await stores.budget.claimAlert(RELEASE_0_1_0_PERIOD, "monthly", 25, latest + 2)).toBe(true);
        // Already fired by release 0.1.0.
        expect(await stores.budget.claimAlert(RELEASE_0_1_0_PERIOD, "monthly", 12.5, latest + 3)).toBe(false);
      } finally {
        await stores.close();
      }
      const reopened = await openStores(location);
      try {
        expect(await reopened.ledger.recent(100)).toEqual([newRow, ...[...RELEASE_0_1_0_ROWS].reverse()]);
        const spending = await reopened.budget.spending(RELEASE_0_1_0_PERIOD);
        expect(spending.total).toEqual({
          settledMicroUsd: RELEASE_0_1_0_SPENDING.total.settledMicroUsd + 20_000,
          reservedMicroUsd: RELEASE_0_1_0_SPENDING.total.reservedMicroUsd,
        });
        expect(spending.byAlias["cloud-opus"]!.settledMicroUsd).toBe(75_250 + 20_000);
        expect(await reopened.budget.firedAlerts(RELEASE_0_1_0_PERIOD)).toEqual([
          ...RELEASE_0_1_0_ALERTS,
          { budget: "monthly", thresholdPercent: 25, firedAt: latest + 2 },
        ]);
      } finally {
        await reopened.close();
      }
    });

    it("two processes upgrading it at the same moment both succeed", async () => {
      const location = await subject.releaseDatabase();
      const pids = await openFromProcessesAtOnce(location, 2);
      expect(await subject.migrationRows(location)).toEqual(CURRENT_VERSIONS);
      const stores = await openStores(location);
      try {
        const ids = (await stores.ledger.recent(100)).map((row) => row.id);
        expect(ids).toHaveLength(RELEASE_0_1_0_ROWS.length + 2);
        expect(ids).toEqual(expect.arrayContaining(pids.map((pid) => `child-${pid}`)));
      } finally {
        await stores.close();
      }
    });

    it("two processes creating an empty database at the same moment both succeed", async () => {
      const location = await subject.emptyDatabase();
      const pids = await openFromProcessesAtOnce(location, 2);
      expect(await subject.migrationRows(location)).toEqual(CURRENT_VERSIONS);
      const stores = await openStores(location);
      try {
        const ids = (await stores.ledger.recent(100)).map((row) => row.id).sort();
        expect(ids).toEqual(pids.map((pid) => `child-${pid}`).sort());
      } finally {
        await stores.close();
      }
    });
  });
}

/**
 * Starts `count` processes that each open the stores on `location` and record a row, releasing
 * them together once all are ready; resolves with their pids once all have succeeded.
 */
async function openFromProcessesAtOnce(location: string, count: number): Promise<number[]> {
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD_SCRIPT, location], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const expectLine = async (expected: string) => {
      const line = await lines.next();
      if (line.value !== expected)
        throw new Error(`child ${child.pid} said ${JSON.stringify(line.value)}, not ${expected}: ${stderr}`);
    };
    return { child, exited, expectLine, stderr: () => stderr };
  });
  await Promise.all(children.map((entry) => entry.expectLine("ready")));
  for (const entry of children) entry.child.stdin.write("go\n");
  await Promise.all(children.map((entry) => entry.expectLine("opened")));
  for (const entry of children) expect(await entry.exited, entry.stderr()).toBe(0);
  return children.map((entry) => entry.child.pid!);
}
