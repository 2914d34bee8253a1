// The worker dies at every step of a payout run (after the idempotency key is stored, after the provider
// was called, after the database was updated); after a restart and reconciliation every creator has been
// paid exactly once, counted in the stand-in provider's own records.

import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import {
  createPayoutRun,
  executePayoutRun,
  getPayoutRun,
  type PayoutCrashPoint,
  type PayoutDeps,
  reconcilePayouts,
} from "./index.ts";
import { ManualPayoutProvider } from "./manual-provider.ts";
import { setCreatorPayoutMethod, startStripeOnboarding } from "./payout-settings.ts";
import { PayPalPayoutsProvider } from "./paypal-provider.ts";
import { StripeConnectProvider } from "./stripe-provider.ts";
import { type FakePayPal, fakePayPal, TEST_PAYPAL_CLIENT } from "./testing/paypal-handlers.ts";
import { AFTER_HOLD, ledgerAgreesWithCommissions, seedApproved } from "./testing/seed.ts";
import { type FakeStripe, fakeStripe } from "./testing/stripe-handlers.ts";

const server = setupServer();
let database: TestDatabase;
beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  database = await createTestDatabase();
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await database.destroy();
});

class Crash extends Error {}

const POINTS: PayoutCrashPoint[] = ["key_stored", "provider_called", "db_updated"];
const CREATORS = [
  { name: "Ada", email: "ada@example.com", orders: [30_000, 12_000] },
  { name: "Ben", email: "ben@example.com", orders: [45_000] },
  { name: "Cy", email: "cy@example.com", orders: [26_000, 26_000, 26_000] },
];
const EXPECTED = [4200, 4500, 7800];

type Vendor = "stripe" | "paypal";

interface World {
  stripe: FakeStripe;
  paypal: FakePayPal;
  /** A fresh process: new provider clients (no cached tokens), same outside world. */
  deps(crashPoint?: PayoutDeps["crashPoint"]): PayoutDeps;
}

function world(): World {
  const stripe = fakeStripe();
  const paypal = fakePayPal();
  server.use(...stripe.handlers, ...paypal.handlers);
  return {
    stripe,
    paypal,
    deps: (crashPoint) => ({
      providers: {
        stripe: new StripeConnectProvider({ secretKey: stripe.secretKey, timeoutMs: 200 }),
        paypal: new PayPalPayoutsProvider({ ...TEST_PAYPAL_CLIENT, baseUrl: paypal.baseUrl, timeoutMs: 200 }),
        manual: new ManualPayoutProvider(),
      },
      now: () => AFTER_HOLD,
      crashPoint,
    }),
  };
}

async function setupRun(db: Db, w: World, vendor: Vendor) {
  const program = await seedApproved(db, CREATORS);
  const destinations: string[] = [];
  for (const [i, creator] of program.creators.entries()) {
    if (vendor === "stripe") {
      const { accountId } = await startStripeOnboarding(
        db,
        program.store.id,
        creator.id,
        w.deps().providers.stripe as StripeConnectProvider,
        { refreshUrl: "https://app.example.com/r", returnUrl: "https://app.example.com/d" },
      );
      destinations.push(accountId);
    } else {
      await setCreatorPayoutMethod(db, program.store.id, creator.id, {
        method: "paypal",
        paypalEmail: CREATORS[i]!.email,
      });
      destinations.push(CREATORS[i]!.email);
    }
  }
  const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
  expect(run.payouts).toHaveLength(3);
  return { program, run, destinations };
}

/** What a restarted worker does: reconcile what was left processing, then carry on with the run. */
async function restart(db: Db, storeId: string, runId: string, deps: PayoutDeps) {
  await reconcilePayouts(db, deps, { storeId });
  await executePayoutRun(db, storeId, runId, deps);
  // PayPal items settle on a later poll.
  for (let i = 0; i < 5; i++) {
    const summary = await reconcilePayouts(db, deps, { storeId });
    if (summary.processing === 0) break;
  }
}

async function expectEveryonePaidOnce(db: Db, w: World, vendor: Vendor, setup: Awaited<ReturnType<typeof setupRun>>) {
  const { program, run, destinations } = setup;
  for (const [i, destination] of destinations.entries()) {
    const amounts =
      vendor === "stripe"
        ? w.stripe.transfersTo(destination).map((t) => t.amount)
        : w.paypal.batchesTo(destination).map((b) => Math.round(Number(b.amount.value) * 100));
    expect(amounts, program.creators[i]!.name).toEqual([EXPECTED[i]]);
  }
  const after = await getPayoutRun(db, program.store.id, run.id);
  expect(after.status).toBe("completed");
  expect(after.payouts.map((p) => p.status)).toEqual(["paid", "paid", "paid"]);
  const commissions = await db.commission.findMany({ where: { storeId: program.store.id } });
  expect(commissions.every((c) => c.status === "paid" && c.paidAmount === c.amount && c.payoutId !== null)).toBe(true);
  const { ledger, expected } = await ledgerAgreesWithCommissions(db, program.store.id, program.campaign.id);
  expect(ledger).toEqual(expected);
  expect(ledger.paid).toBe(EXPECTED.reduce((a, b) => a + b, 0));
}

describe.each(["stripe", "paypal"] as const)("a %s payout run survives a crash", (vendor) => {
  for (const point of POINTS) {
    for (const victim of [0, 1, 2]) {
      it(`at ${point} of payout ${victim + 1} of 3`, async () => {
        const { db } = database;
        const w = world();
        const setup = await setupRun(db, w, vendor);
        const payoutIds = [...setup.run.payouts.map((p) => p.id)].sort();
        let crashed = false;
        const crashing = w.deps((at, payoutId) => {
          if (!crashed && at === point && payoutId === payoutIds[victim]) {
            crashed = true;
            throw new Crash(`killed at ${at}`);
          }
        });
        await expect(executePayoutRun(db, setup.program.store.id, setup.run.id, crashing)).rejects.toBeInstanceOf(
          Crash,
        );
        await restart(db, setup.program.store.id, setup.run.id, w.deps());
        await expectEveryonePaidOnce(db, w, vendor, setup);
      });
    }
  }

  it("when it is killed at every step in turn, with provider errors and lost answers between restarts", async () => {
    const { db } = database;
    const w = world();
    const setup = await setupRun(db, w, vendor);
    const payoutIds = [...setup.run.payouts.map((p) => p.id)].sort();
    const steps = payoutIds.flatMap((id) => POINTS.map((point) => `${id}/${point}`));
    const done = new Set<string>();
    // Some calls fail after the provider acted, some answers are lost to timeouts, some fail before.
    if (vendor === "stripe") w.stripe.next.push("error-after", "hang-after", "error-before");
    else w.paypal.next.push("error-after", "hang-after", "error-before");
    for (let restarts = 0; restarts < 30; restarts++) {
      const deps = w.deps((point, payoutId) => {
        const step = `${payoutId}/${point}`;
        if (!done.has(step)) {
          done.add(step);
          throw new Crash(step);
        }
      });
      try {
        await reconcilePayouts(db, deps, { storeId: setup.program.store.id });
        await executePayoutRun(db, setup.program.store.id, setup.run.id, deps);
      } catch (error) {
        if (!(error instanceof Crash)) throw error;
      }
      if (done.size === steps.length) break;
    }
    await restart(db, setup.program.store.id, setup.run.id, w.deps());
    await expectEveryonePaidOnce(db, w, vendor, setup);
  });
});
