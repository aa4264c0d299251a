/**
 * One budget-store suite, run against SQLite and PostgreSQL. Stores are opened through
 * `openStores`, the way the runtime opens them; "another instance" is a second connection or pool
 * to the same database, as a second Brain (or a restarted one) would have.
 */
import { hostname } from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BlockReservations } from "../../src/budget/block-reservations.js";
import type { BudgetCap, BudgetStore, ReservationRequest } from "../../src/store/budget-store.js";
import { openStores, type Stores } from "../../src/store/open-stores.js";
import { startBudgetChild } from "./budget-child-process.js";

const PERIOD = "2026-11-01";
const HOUR = 3_600_000;

export function describeBudgetStore(name: string, newLocation: () => Promise<string>) {
  describe(`budget store: ${name}`, () => {
    let location: string;
    let opened: Stores[];
    let store: BudgetStore;
    const open = async () => {
      const stores = await openStores(location);
      opened.push(stores);
      return stores.budget;
    };

    beforeEach(async () => {
      location = await newLocation();
      opened = [];
      store = await open();
    });
    afterEach(async () => {
      await Promise.all(opened.map((stores) => stores.close()));
    });

    const monthly = (limitUsd: number): BudgetCap => ({
      name: "monthly",
      alias: null,
      limitMicroUsd: limitUsd * 1e6,
    });
    const ceiling = (alias: string, limitUsd: number): BudgetCap => ({
      name: alias,
      alias,
      limitMicroUsd: limitUsd * 1e6,
    });
    let counter = 0;
    const request = (overrides: Partial<ReservationRequest> = {}): ReservationRequest => ({
      id: `r-${counter++}-${Math.random().toString(36).slice(2)}`,
      periodKey: PERIOD,
      alias: "cloud-sonnet",
      amountMicroUsd: 1_000_000,
      caps: [monthly(100)],
      instanceId: "instance-a",
      startedAt: Date.now(),
      expiresAt: Date.now() + HOUR,
      ...overrides,
    });

    it("grants while every cap has room and names the first cap without it", async () => {
      const caps = [monthly(10), ceiling("cloud-opus", 3)];
      const first = request({ alias: "cloud-opus", amountMicroUsd: 2_000_000, caps });
      expect(await store.reserve(first)).toEqual({ granted: true });
      await store.settle(first, 1_500_000);
      expect(await store.reserve(request({ alias: "cloud-opus", amountMicroUsd: 1_000_000, caps }))).toEqual({
        granted: true,
      });
      const denied = await store.reserve(request({ alias: "cloud-opus", amountMicroUsd: 600_000, caps }));
      expect(denied).toEqual({
        granted: false,
        denial: { cap: caps[1], settledMicroUsd: 1_500_000, reservedMicroUsd: 1_000_000 },
      });
      // Another alias is bound by the total only.
      const sonnet = await store.reserve(request({ alias: "cloud-sonnet", amountMicroUsd: 7_000_000, caps }));
      expect(sonnet.granted).toBe(true);
      const overTotal = await store.reserve(
        request({ alias: "cloud-sonnet", amountMicroUsd: 600_000, caps }),
      );
      expect(overTotal).toMatchObject({
        granted: false,
        denial: { cap: caps[0], settledMicroUsd: 1_500_000 },
      });
      expect(await store.spending(PERIOD)).toEqual({
        total: { settledMicroUsd: 1_500_000, reservedMicroUsd: 8_000_000 },
        byAlias: {
          "cloud-opus": { settledMicroUsd: 1_500_000, reservedMicroUsd: 1_000_000 },
          "cloud-sonnet": { settledMicroUsd: 0, reservedMicroUsd: 7_000_000 },
        },
      });
    });

    it("200 concurrent reservations from four instances: exactly 20 fit, spend never passes the cap", async () => {
      const stores = [store, await open(), await open(), await open()];
      const caps = [monthly(1)];
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          stores[index % stores.length]!.reserve(
            request({ amountMicroUsd: 50_000, caps, instanceId: `instance-${index % 4}` }),
          ),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.granted)).toHaveLength(20);
      expect((await store.spending(PERIOD)).total).toEqual({
        settledMicroUsd: 0,
        reservedMicroUsd: 1_000_000,
      });
    });

    it("200 reservations racing from four processes: exactly 20 fit", async () => {
      const children = Array.from({ length: 4 }, () =>
        startBudgetChild(["reserve-many", location, "50", "50000", "1000000", PERIOD]),
      );
      for (const child of children) expect(await child.nextLine()).toBe("ready");
      for (const child of children) child.process.stdin?.write("go\n");
      const granted = await Promise.all(
        children.map(async (child) => Number((await child.nextLine()).split(" ")[1])),
      );
      await Promise.all(children.map((child) => child.exited));
      expect(granted.reduce((sum, count) => sum + count, 0)).toBe(20);
      expect((await store.spending(PERIOD)).total.reservedMicroUsd).toBe(1_000_000);
    }, 60_000);

    it("settle replaces the reservation with the real cost; release gives it back", async () => {
      const settled = request({ amountMicroUsd: 4_000_000 });
      const released = request({ amountMicroUsd: 3_000_000 });
      await store.reserve(settled);
      await store.reserve(released);
      expect(await store.settle(settled, 1_234_567)).toEqual({
        found: true,
        totalSettledMicroUsd: 1_234_567,
        aliasSettledMicroUsd: 1_234_567,
      });
      expect(await store.release(released)).toBe(true);
      expect(await store.release(released)).toBe(false);
      expect((await store.spending(PERIOD)).total).toEqual({
        settledMicroUsd: 1_234_567,
        reservedMicroUsd: 0,
      });
      // A reservation cleared as stale still costs what it cost when it finally settles.
      const late = await store.settle(request({ alias: "cloud-opus" }), 100);
      expect(late).toEqual({ found: false, totalSettledMicroUsd: 1_234_667, aliasSettledMicroUsd: 100 });
      // Other periods are separate.
      expect((await store.spending("2026-12-01")).total).toEqual({ settledMicroUsd: 0, reservedMicroUsd: 0 });
    });

    it("rebook books a block's spend and shrinks it in one step, never grows it, and removes it at 0", async () => {
      const block = request({ amountMicroUsd: 5_000_000 });
      await store.reserve(block);
      expect(
        await store.rebook(block, { remainingMicroUsd: 3_000_000, costMicroUsd: 1_500_000, requests: 12 }),
      ).toEqual({
        found: true,
        totalSettledMicroUsd: 1_500_000,
        aliasSettledMicroUsd: 1_500_000,
      });
      expect((await store.spending(PERIOD)).total).toEqual({
        settledMicroUsd: 1_500_000,
        reservedMicroUsd: 3_000_000,
      });
      // Asked to grow, it keeps what it holds: growing would skip the cap check.
      await store.rebook(block, { remainingMicroUsd: 9_000_000, costMicroUsd: 0, requests: 0 });
      expect((await store.spending(PERIOD)).total.reservedMicroUsd).toBe(3_000_000);
      expect(
        await store.rebook(block, { remainingMicroUsd: 0, costMicroUsd: 500_000, requests: 3 }),
      ).toMatchObject({
        found: true,
        totalSettledMicroUsd: 2_000_000,
      });
      expect((await store.spending(PERIOD)).total).toEqual({
        settledMicroUsd: 2_000_000,
        reservedMicroUsd: 0,
      });
      // Gone (cleared as stale): the spend still counts.
      expect(
        await store.rebook(block, { remainingMicroUsd: 1_000_000, costMicroUsd: 250_000, requests: 1 }),
      ).toEqual({
        found: false,
        totalSettledMicroUsd: 2_250_000,
        aliasSettledMicroUsd: 2_250_000,
      });
      expect((await store.spending(PERIOD)).total.reservedMicroUsd).toBe(0);
    });

    it("Brains reserving in blocks: one alone fits exactly what fits; four racing never pass the cap", async () => {
      const caps = [monthly(1)];
      const alone = new BlockReservations(store, { blockPercent: 20 });
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, () => alone.reserve(request({ amountMicroUsd: 50_000, caps }))),
      );
      expect(outcomes.filter((outcome) => outcome.granted)).toHaveLength(20);
      expect((await alone.spending(PERIOD)).total).toEqual({
        settledMicroUsd: 0,
        reservedMicroUsd: 1_000_000,
      });
      await alone.unregisterInstance("instance-a");
      expect((await store.spending(PERIOD)).total.reservedMicroUsd).toBe(0);

      // Four Brains on one database, each in blocks, 400 requests that settle as they are granted.
      const brains = [store, await open(), await open(), await open()].map(
        (inner) => new BlockReservations(inner, { blockPercent: 20, syncIntervalMs: 1 }),
      );
      const highWater: number[] = [];
      const granted = await Promise.all(
        Array.from({ length: 400 }, async (_, index) => {
          const brain = brains[index % brains.length]!;
          const reservation = request({ amountMicroUsd: 50_000, caps, instanceId: `instance-${index % 4}` });
          const outcome = await brain.reserve(reservation);
          if (!outcome.granted) return 0;
          const spending = (await store.spending(PERIOD)).total;
          highWater.push(spending.settledMicroUsd + spending.reservedMicroUsd);
          await brain.settle(reservation, 40_000);
          return 1;
        }),
      );
      for (const brain of brains) await brain.flush();
      const total = (await store.spending(PERIOD)).total;
      expect(total.reservedMicroUsd).toBe(0);
      expect(Math.max(...highWater)).toBeLessThanOrEqual(1_000_000);
      expect(total.settledMicroUsd).toBe(granted.reduce<number>((sum, count) => sum + count, 0) * 40_000);
      expect(total.settledMicroUsd).toBeLessThanOrEqual(1_000_000);
    });

    it("an alert is claimed once per threshold and period, even by racing instances", async () => {
      const other = await open();
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          (index % 2 ? other : store).claimAlert(PERIOD, "monthly", 80, Date.now()),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.claimAlert(PERIOD, "monthly", 50, Date.now())).toBe(true);
      expect(await store.claimAlert(PERIOD, "cloud-opus", 80, Date.now())).toBe(true);
      expect(await store.claimAlert("2026-12-01", "monthly", 80, Date.now())).toBe(true);
      // A restart (a fresh connection) does not fire it again.
      expect(await (await open()).claimAlert(PERIOD, "monthly", 80, Date.now())).toBe(false);
    });

    it("clears reservations that expired or whose owner stopped beating; keeps live ones", async () => {
      const now = Date.now();
      const self = { hostname: hostname(), pid: process.pid };
      await store.registerInstance({ instanceId: "live", ...self, startedAt: now - 5_000 });
      await store.registerInstance({ instanceId: "silent", ...self, startedAt: now - 600_000 });
      await store.reserve(request({ instanceId: "live" }));
      await store.reserve(request({ instanceId: "live", expiresAt: now - 1 }));
      await store.reserve(request({ instanceId: "silent" }));
      await store.reserve(request({ instanceId: "never-registered" }));
      expect(await store.clearStaleReservations(now, 90_000)).toBe(3);
      expect((await store.spending(PERIOD)).total.reservedMicroUsd).toBe(1_000_000);
      await store.heartbeat("live", now + 120_000);
      expect(await store.clearStaleReservations(now + 150_000, 90_000)).toBe(0);
      // A clean shutdown releases what the instance still held.
      await store.unregisterInstance("live");
      expect((await store.spending(PERIOD)).total.reservedMicroUsd).toBe(0);
    });

    it("a process killed mid-request leaves a reservation the next start clears", async () => {
      const child = startBudgetChild(["hang", location]);
      expect(await child.nextLine()).toBe("reserved true");
      child.process.kill("SIGKILL");
      await child.exited;
      const restarted = await open();
      expect((await restarted.spending(PERIOD)).total.reservedMicroUsd).toBe(1_000_000);
      // Its heartbeat is fresh, but it ran on this host under a pid that is gone.
      expect(await restarted.clearStaleReservations(Date.now(), 90_000)).toBe(1);
      expect((await restarted.spending(PERIOD)).total.reservedMicroUsd).toBe(0);
    }, 30_000);
  });
}
