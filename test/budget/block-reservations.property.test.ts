/**
 * Reservations in blocks under arbitrary traffic, over the real SQLite store: bursts of requests
 * whose worst cases range from far below the headroom to far above it (a request with no
 * max_tokens), finished in any order, settled or released, with syncs whenever the test's clock
 * says. After every step, what the requests in flight could cost plus what was spent stays under
 * every cap, and the store never holds less than that — which is what keeps other processes under
 * the caps too. At the end every cent is booked and nothing is held.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlockReservations } from "../../src/budget/block-reservations.js";
import type { BudgetCap, ReservationRequest, SpendTotals } from "../../src/store/budget-store.js";
import { openStores, type Stores } from "../../src/store/open-stores.js";
import { ManualClock } from "../helpers/manual-clock.js";

const MONTHLY = 4_000_000;
const ALIAS_CEILING = 2_500_000;
const caps: BudgetCap[] = [
  { name: "monthly", alias: null, limitMicroUsd: MONTHLY },
  { name: "cloud-sonnet", alias: "cloud-sonnet", limitMicroUsd: ALIAS_CEILING },
];

type Step =
  | { kind: "burst"; amounts: number[]; sonnet: boolean }
  | { kind: "finish"; pick: number; share: number; release: boolean }
  | { kind: "tick"; ms: number; waitForSync: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("burst" as const),
    // From a cent and a half (max_tokens set) to more than the headroom (none set).
    amounts: fc.array(fc.integer({ min: 10_000, max: 1_200_000 }), { minLength: 1, maxLength: 6 }),
    sonnet: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("finish" as const),
    pick: fc.nat(),
    // What the answer cost, as a share of its worst case.
    share: fc.double({ min: 0, max: 1, noNaN: true }),
    release: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("tick" as const),
    ms: fc.integer({ min: 1, max: 1_200 }),
    waitForSync: fc.boolean(),
  }),
);

interface Model {
  inFlight: ReservationRequest[];
  spent: { total: number; sonnet: number };
}

const sum = (requests: readonly ReservationRequest[]) =>
  requests.reduce((total, each) => total + each.amountMicroUsd, 0);
const held = (totals: SpendTotals | undefined) =>
  (totals?.settledMicroUsd ?? 0) + (totals?.reservedMicroUsd ?? 0);

describe("reservations in blocks, any interleaving", () => {
  let stores: Stores;
  let run = 0;
  beforeAll(async () => {
    stores = await openStores(join(mkdtempSync(join(tmpdir(), "switchyard-blocks-prop-")), "ledger.db"));
  });
  afterAll(async () => {
    await stores.close();
  });

  it("never lets in flight plus spent pass a cap, never holds less than that in the store, and books every cent", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 20 }),
        async (steps, blockPercent) => {
          // Each run has a period of its own in the one store.
          const periodKey = `run-${run++}`;
          const clock = new ManualClock();
          const blocks = new BlockReservations(stores.budget, {
            blockPercent,
            now: clock.now,
            setTimer: clock.setTimer,
          });
          const model: Model = { inFlight: [], spent: { total: 0, sonnet: 0 } };
          const settles: Array<Promise<unknown>> = [];
          let counter = 0;
          const finish = (each: ReservationRequest, share: number, release: boolean) => {
            if (release) {
              settles.push(blocks.release(each));
              return;
            }
            const cost = Math.floor(each.amountMicroUsd * share);
            model.spent.total += cost;
            if (each.alias === "cloud-sonnet") model.spent.sonnet += cost;
            settles.push(blocks.settle(each, cost));
          };

          for (const current of steps) {
            if (current.kind === "burst") {
              const requests = current.amounts.map(
                (amountMicroUsd): ReservationRequest => ({
                  id: `${periodKey}-${counter++}`,
                  periodKey,
                  alias: current.sonnet ? "cloud-sonnet" : "cloud-opus",
                  amountMicroUsd,
                  caps,
                  instanceId: "brain",
                  startedAt: clock.now(),
                  expiresAt: clock.now() + 3_600_000,
                }),
              );
              const outcomes = await Promise.all(requests.map((each) => blocks.reserve(each)));
              requests.forEach((each, index) => {
                if (outcomes[index]?.granted) model.inFlight.push(each);
              });
            } else if (current.kind === "finish") {
              if (model.inFlight.length === 0) continue;
              const [each] = model.inFlight.splice(current.pick % model.inFlight.length, 1);
              finish(each!, current.share, current.release);
            } else {
              clock.advance(current.ms);
              if (current.waitForSync) await blocks.idle();
            }

            const sonnetInFlight = sum(model.inFlight.filter((each) => each.alias === "cloud-sonnet"));
            expect(sum(model.inFlight) + model.spent.total).toBeLessThanOrEqual(MONTHLY);
            expect(sonnetInFlight + model.spent.sonnet).toBeLessThanOrEqual(ALIAS_CEILING);
            const store = await stores.budget.spending(periodKey);
            expect(held(store.total)).toBeGreaterThanOrEqual(sum(model.inFlight) + model.spent.total);
            expect(held(store.byAlias["cloud-sonnet"])).toBeGreaterThanOrEqual(
              sonnetInFlight + model.spent.sonnet,
            );
          }

          for (const each of model.inFlight.splice(0)) finish(each, 0.5, false);
          await blocks.flush();
          await Promise.all(settles);
          expect((await stores.budget.spending(periodKey)).total).toEqual({
            settledMicroUsd: model.spent.total,
            reservedMicroUsd: 0,
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
