/**
 * Reservations in blocks, over the real SQLite store opened the way the server opens it. A
 * counting pass-through in between shows how many store operations a burst of requests cost. The
 * clock and the sync timer are the test's own: a sync runs when a test advances the clock, so
 * nothing depends on how fast a busy machine gets through a burst.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BlockReservations } from "../../src/budget/block-reservations.js";
import type {
  BudgetCap,
  BudgetStore,
  ReservationHandle,
  ReservationRequest,
} from "../../src/store/budget-store.js";
import { openStores, type Stores } from "../../src/store/open-stores.js";
import type { SqliteBudgetStore } from "../../src/store/sqlite-budget-store.js";
import { ManualClock } from "../helpers/manual-clock.js";

const PERIOD = "2026-12-01";
const HOUR = 3_600_000;
const monthly = (limitMicroUsd: number): BudgetCap => ({ name: "monthly", alias: null, limitMicroUsd });

/**
 * The real store, counting what reaches it and the amounts reserved; `failRebooks` makes the next
 * rebooks throw.
 */
function counted(inner: BudgetStore) {
  const calls = { reserve: 0, rebook: 0, settle: 0 };
  const reserved: number[] = [];
  let failRebooks = 0;
  const store: BudgetStore = Object.create(inner);
  store.reserve = (request) => {
    calls.reserve++;
    reserved.push(request.amountMicroUsd);
    return inner.reserve(request);
  };
  store.settle = (handle, cost) => {
    calls.settle++;
    return inner.settle(handle, cost);
  };
  store.rebook = async (handle, booking) => {
    calls.rebook++;
    if (failRebooks > 0) {
      failRebooks--;
      throw new Error("disk I/O error");
    }
    return inner.rebook(handle, booking);
  };
  return { store, calls, reserved, failNextRebooks: (count: number) => (failRebooks = count) };
}

/** One sync interval (the default), to advance the clock by. */
const SYNC_MS = 20;
let clock = new ManualClock();
let counter = 0;
function request(overrides: Partial<ReservationRequest> = {}): ReservationRequest {
  const now = clock.now();
  return {
    id: `r-${counter++}`,
    periodKey: PERIOD,
    alias: "cloud-sonnet",
    amountMicroUsd: 15_000,
    caps: [monthly(100_000_000)],
    instanceId: "brain",
    startedAt: now,
    expiresAt: now + HOUR,
    ...overrides,
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("reservations in blocks", () => {
  let stores: Stores;
  let raw: BudgetStore;
  let spy: ReturnType<typeof counted>;
  let blocks: BlockReservations;
  const errors: unknown[] = [];

  beforeEach(async () => {
    stores = await openStores(join(mkdtempSync(join(tmpdir(), "switchyard-blocks-")), "ledger.db"));
    raw = stores.budget;
    spy = counted(raw);
    errors.length = 0;
    clock = new ManualClock();
    blocks = new BlockReservations(spy.store, {
      onError: (error) => errors.push(error),
      now: clock.now,
      setTimer: clock.setTimer,
    });
  });
  /** One tick of the sync timer, waited for. */
  const sync = async () => {
    clock.advance(SYNC_MS);
    await blocks.idle();
  };
  afterEach(async () => {
    await blocks.close();
    await stores.close();
  });

  it("a burst of 60 paid requests costs one reservation and one booking, and books every cent", async () => {
    const requests = Array.from({ length: 60 }, () => request());
    const outcomes = await Promise.all(requests.map((each) => blocks.reserve(each)));
    expect(outcomes.every((outcome) => outcome.granted)).toBe(true);
    // The first block is a quarter of the largest (5% of $100): $1.25, room for 83 requests of 1.5 cents.
    expect(spy.calls.reserve).toBe(1);

    // Others see the whole block; this process reports what its requests really hold.
    expect((await raw.spending(PERIOD)).total).toEqual({ settledMicroUsd: 0, reservedMicroUsd: 1_250_000 });
    expect((await blocks.spending(PERIOD)).total).toEqual({ settledMicroUsd: 0, reservedMicroUsd: 900_000 });

    const settling = Promise.all(requests.map((each, index) => blocks.settle(each, 10_000 + index)));
    await sync();
    const results = await settling;
    const booked = 60 * 10_000 + (59 * 60) / 2;
    expect(spy.calls.rebook).toBe(1);
    expect(spy.calls.settle).toBe(0);
    // Every settle learns the totals after the booking (what the threshold alerts read).
    expect(results.every((result) => result.found && result.totalSettledMicroUsd === booked)).toBe(true);
    expect((await blocks.spending(PERIOD)).total).toEqual({ settledMicroUsd: booked, reservedMicroUsd: 0 });
    const row = (raw as SqliteBudgetStore).database
      .prepare("SELECT settled_micro_usd AS settled, requests FROM budget_spend WHERE period_key = ?")
      .get(PERIOD);
    expect(row).toEqual({ settled: booked, requests: 60 });
  });

  it("doubles the headroom while blocks fill fast, up to the largest, and starts small again after a lull", async () => {
    const held = async () => {
      const rows = (raw as SqliteBudgetStore).database
        .prepare("SELECT amount_micro_usd AS amount FROM budget_reservations ORDER BY amount_micro_usd")
        .all() as Array<{ amount: number }>;
      return rows.map((row) => row.amount);
    };
    // 1,000 requests of 1.5 cents at once. Each block takes over the requests in flight and adds
    // headroom of $1.25, $2.50, then $5 (5% of $100).
    const burst = Array.from({ length: 1_000 }, () => request());
    await Promise.all(burst.map((each) => blocks.reserve(each)));
    expect(spy.reserved).toEqual([
      1_250_000,
      83 * 15_000 + 2_500_000,
      249 * 15_000 + 5_000_000,
      582 * 15_000 + 5_000_000,
      915 * 15_000 + 5_000_000,
    ]);
    // The blocks before it are given back as soon as the last one holds their requests.
    await blocks.idle();
    expect(await held()).toEqual([915 * 15_000 + 5_000_000]);
    for (const each of burst) await blocks.release(each);
    // The granting block goes at the sync after the one that finds it idle.
    await sync();
    expect(await held()).toEqual([915 * 15_000 + 5_000_000]);
    await sync();
    expect(await held()).toEqual([]);
    const after = request();
    await blocks.reserve(after);
    expect(await held()).toEqual([1_250_000]);
    await blocks.release(after);
  });

  it("requests larger than the headroom (no max_tokens) share blocks too: 16 in flight round after round", async () => {
    // Sonnet with no max_tokens: 64,000 output tokens at $15 per million, about a dollar each,
    // under a $60 alias ceiling whose 5% ($3) is the most headroom.
    const caps = [
      monthly(100_000_000),
      { name: "cloud-sonnet", alias: "cloud-sonnet", limitMicroUsd: 60_000_000 },
    ];
    const worstCase = 960_300;
    const ask = async () => {
      const each = request({ amountMicroUsd: worstCase, caps });
      expect(await blocks.reserve(each)).toEqual({ granted: true });
      return each;
    };
    let inFlight = await Promise.all(Array.from({ length: 16 }, ask));
    const settles: Array<Promise<unknown>> = [];
    let spent = 0;
    const heldByStore = async () => (await raw.spending(PERIOD)).total.reservedMicroUsd;
    let mostHeld = 0;
    for (let round = 0; round < 200; round++) {
      // Closed loop: each of the 16 callers finishes and asks again at once.
      inFlight = await Promise.all(
        inFlight.map(async (each) => {
          settles.push(blocks.settle(each, 4_000));
          spent += 4_000;
          return ask();
        }),
      );
      clock.advance(5);
      await blocks.idle();
      mostHeld = Math.max(mostHeld, await heldByStore());
    }
    // A second of traffic, 3,216 requests: seven blocks for the ramp to 16 in flight, then one each
    // time the spend (0.4¢ a request) has used up the headroom, about every 750 requests. Blocks
    // that did not take over their requests in flight would each fit one to three of them.
    expect(spy.reserved.slice(0, 7)).toEqual([
      worstCase,
      worstCase + 1_500_000,
      2 * worstCase + 3_000_000,
      5 * worstCase + 3_000_000,
      8 * worstCase + 3_000_000,
      11 * worstCase + 3_000_000,
      14 * worstCase + 3_000_000,
    ]);
    expect(spy.calls.reserve).toBeLessThanOrEqual(13);
    // Between syncs the store never held more than the 16 in flight and the headroom: each block
    // that took the requests over gave the one before it back.
    expect(mostHeld).toBeLessThanOrEqual(16 * worstCase + 3_000_000);
    for (const each of inFlight) await blocks.release(each);
    await blocks.flush();
    await Promise.all(settles);
    expect((await raw.spending(PERIOD)).total).toEqual({ settledMicroUsd: spent, reservedMicroUsd: 0 });
  });

  it("gives an idle block back within a few syncs, so other processes see nothing held", async () => {
    const only = request();
    await blocks.reserve(only);
    const booking = blocks.settle(only, 12_000);
    await sync();
    await booking;
    // Booked, and the block still open for the next request.
    expect((await raw.spending(PERIOD)).total).toEqual({
      settledMicroUsd: 12_000,
      reservedMicroUsd: 1_238_000,
    });
    await sync();
    expect((await raw.spending(PERIOD)).total).toEqual({ settledMicroUsd: 12_000, reservedMicroUsd: 0 });
  });

  it("keeps a block at least as large as its requests in flight, even when a cost exceeds its worst case", async () => {
    const first = request({ amountMicroUsd: 400_000 });
    const second = request({ amountMicroUsd: 400_000 });
    await blocks.reserve(first);
    await blocks.reserve(second);
    expect(spy.calls.reserve).toBe(1);
    // The first cost more than reserved (a price raised mid-month): it all counts, and the block
    // still covers the second in full.
    const booking = blocks.settle(first, 900_000);
    await sync();
    await booking;
    expect((await raw.spending(PERIOD)).total).toEqual({
      settledMicroUsd: 900_000,
      reservedMicroUsd: 400_000,
    });
    await blocks.release(second);
    await blocks.flush();
    expect((await raw.spending(PERIOD)).total).toEqual({ settledMicroUsd: 900_000, reservedMicroUsd: 0 });
  });

  it("near the cap reserves exactly, after giving back its own headroom: the last cent is usable", async () => {
    const caps = [monthly(1_000_000)];
    // Blocks of 1% ($0.01) are smaller than one request: each request is its own block.
    const held = await Promise.all(
      Array.from({ length: 3 }, () => request({ amountMicroUsd: 300_000, caps })).map(async (each) => {
        expect(await blocks.reserve(each)).toEqual({ granted: true });
        return each;
      }),
    );
    // Not waited for: the 200k spent is not booked yet, and the store still holds that block whole.
    const booking = blocks.settle(held[0]!, 200_000);
    expect((await raw.spending(PERIOD)).total).toEqual({ settledMicroUsd: 0, reservedMicroUsd: 900_000 });
    // 200k spent, 600k in flight: 200k is left, and this process can use it.
    const fits = request({ amountMicroUsd: 200_000, caps });
    expect(await blocks.reserve(fits)).toEqual({ granted: true });
    await booking;
    const denied = await blocks.reserve(request({ amountMicroUsd: 1, caps }));
    expect(denied).toEqual({
      granted: false,
      denial: { cap: caps[0], settledMicroUsd: 200_000, reservedMicroUsd: 800_000 },
    });
    await blocks.settle(fits, 0);
    for (const each of held.slice(1)) await blocks.release(each);
    await blocks.flush();
    expect((await blocks.spending(PERIOD)).total).toEqual({ settledMicroUsd: 200_000, reservedMicroUsd: 0 });
  });

  it("one process fits exactly what fits under a cap with mixed sizes, racing", async () => {
    const caps = [monthly(2_000_000)];
    const amounts = Array.from({ length: 300 }, (_, index) => 10_000 + (index % 7) * 5_000);
    const granted: ReservationRequest[] = [];
    await Promise.all(
      amounts.map(async (amountMicroUsd) => {
        const each = request({ amountMicroUsd, caps });
        if ((await blocks.reserve(each)).granted) granted.push(each);
      }),
    );
    const held = granted.reduce((sum, each) => sum + each.amountMicroUsd, 0);
    expect(held).toBeLessThanOrEqual(2_000_000);
    // Nothing smaller than the smallest request is left unused.
    expect(2_000_000 - held).toBeLessThan(10_000);
    expect((await blocks.spending(PERIOD)).total.reservedMicroUsd).toBe(held);
  });

  it("random traffic at a cap on two aliases: what is in flight plus what was spent never passes it", async () => {
    let seed = 20261201;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const cap = 3_000_000;
    const caps = [monthly(cap)];
    let inFlight = 0;
    let spent = 0;
    let worst = 0;
    // Real timers (syncs every 2 ms) racing random pauses: the caps hold whatever the interleaving.
    const fast = new BlockReservations(spy.store, { blockPercent: 5, syncIntervalMs: 2, now: clock.now });
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let step = 0; step < 60; step++) {
          const each = request({
            alias: random() < 0.7 ? "cloud-sonnet" : "cloud-opus",
            amountMicroUsd: 20_000 + Math.floor(random() * 180_000),
            caps,
          });
          if (!(await fast.reserve(each)).granted) {
            await pause(1);
            continue;
          }
          inFlight += each.amountMicroUsd;
          worst = Math.max(worst, inFlight + spent);
          await pause(Math.floor(random() * 4));
          inFlight -= each.amountMicroUsd;
          if (random() < 0.2) {
            await fast.release(each);
          } else {
            const cost = Math.floor(each.amountMicroUsd * random());
            spent += cost;
            void fast.settle(each, cost);
          }
        }
      }),
    );
    await fast.flush();
    expect(worst).toBeLessThanOrEqual(cap);
    // It was at the cap, not kept far below it by its own blocks.
    expect(worst).toBeGreaterThan(cap * 0.9);
    expect((await raw.spending(PERIOD)).total).toEqual({ settledMicroUsd: spent, reservedMicroUsd: 0 });
  });

  it("takes a new block when the caps change, per alias and per period", async () => {
    await blocks.reserve(request());
    await blocks.reserve(
      request({
        caps: [monthly(100_000_000), { name: "openrouter-key", alias: null, limitMicroUsd: 5_000_000 }],
      }),
    );
    await blocks.reserve(request({ alias: "cloud-opus" }));
    await blocks.reserve(request({ periodKey: "2027-01-01" }));
    expect(spy.calls.reserve).toBe(4);
    await blocks.reserve(request({ alias: "cloud-opus" }));
    expect(spy.calls.reserve).toBe(4);
  });

  it("a block the store cleared (expired) grants no more; what its requests cost still counts", async () => {
    const first = request();
    await blocks.reserve(first);
    // An hour and more later, the heartbeat's sweep removes it as abandoned.
    expect(await raw.clearStaleReservations(clock.now() + 2 * HOUR, 90_000)).toBe(1);
    const booking = blocks.settle(first, 5_000);
    await sync();
    expect(await booking).toMatchObject({ found: false, totalSettledMicroUsd: 5_000 });
    const second = request();
    await blocks.reserve(second);
    expect(spy.calls.reserve).toBe(2);
    expect((await blocks.spending(PERIOD)).total).toEqual({
      settledMicroUsd: 5_000,
      reservedMicroUsd: 15_000,
    });
    const last = blocks.settle(second, 1_000);
    await blocks.flush();
    await last;
    expect((await raw.spending(PERIOD)).total).toEqual({ settledMicroUsd: 6_000, reservedMicroUsd: 0 });
  });

  it("a booking that fails is kept and booked at the next sync", async () => {
    const each = request();
    await blocks.reserve(each);
    spy.failNextRebooks(1);
    const booking = blocks.settle(each, 7_000);
    await sync();
    expect(errors).toHaveLength(1);
    await sync();
    expect(await booking).toMatchObject({ found: true, totalSettledMicroUsd: 7_000 });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("disk I/O error");
    expect((await blocks.spending(PERIOD)).total).toEqual({ settledMicroUsd: 7_000, reservedMicroUsd: 0 });
  });

  it("a clean shutdown books everything and holds nothing; a late settle still counts", async () => {
    const early = request();
    const late = request();
    await blocks.reserve(early);
    await blocks.reserve(late);
    const booking = blocks.settle(early, 5_000);
    await blocks.unregisterInstance("brain");
    await expect(booking).resolves.toMatchObject({ totalSettledMicroUsd: 5_000 });
    expect((await raw.spending(PERIOD)).total).toEqual({ settledMicroUsd: 5_000, reservedMicroUsd: 0 });
    await blocks.settle(late as ReservationHandle, 6_000);
    expect((await raw.spending(PERIOD)).total).toEqual({ settledMicroUsd: 11_000, reservedMicroUsd: 0 });
  });
});
