// The campaign budget ledger through the real storage paths: orders, refunds, cancellations, restores,
// approval sweeps and payout runs in random order. After every step the ledger's reserved / released /
// paid / remaining, recomputed from the commissions, must agree, and so must Campaign.budgetUsed.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveDueCommissions } from "../conversions/approve-due.ts";
import { addOrderRefund, ingestOrder, setOrderStatus } from "../orders/ingest-order.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY, insertClick, seedProgram } from "../testing/fixtures.ts";
import { createPayoutRun, executePayoutRun, markPayoutPaid } from "./index.ts";
import { ManualPayoutProvider } from "./manual-provider.ts";
import { ledgerAgreesWithCommissions, T0 } from "./testing/seed.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

type Step =
  | { kind: "order"; creator: number; total: number; confirmed: boolean }
  | { kind: "confirm"; order: number }
  | { kind: "refund"; order: number; amount: number }
  | { kind: "cancel"; order: number }
  | { kind: "restore"; order: number }
  | { kind: "sweep" }
  | { kind: "payout"; pay: boolean };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      creator: fc.nat(1),
      total: fc.integer({ min: 5_000, max: 60_000 }),
      confirmed: fc.boolean(),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant("confirm" as const), order: fc.nat() }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant("refund" as const),
      order: fc.nat(),
      amount: fc.integer({ min: 1, max: 60_000 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant("cancel" as const), order: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("restore" as const), order: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ kind: "sweep" as const }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("payout" as const), pay: fc.boolean() }), weight: 3 },
);

describe("campaign budget ledger", () => {
  it("always balances against the commissions, whatever happens to orders and payouts", async () => {
    const { db } = database;
    const seen = { paid: 0, approved: 0, clawbacks: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.integer({ min: 5_000, max: 30_000 }), { nil: null }),
        fc.array(stepArb, { minLength: 6, maxLength: 16 }),
        async (cap, steps) => {
          const program = await seedProgram(db, { campaign: { budgetCap: cap, holdingDays: 5 } });
          const storeId = program.store.id;
          await db.store.update({ where: { id: storeId }, data: { minimumPayout: 500 } });
          const deps = { providers: { manual: new ManualPayoutProvider() } };
          const orders: { externalId: string; total: number }[] = [];
          let clock = T0.getTime();
          for (const step of steps) {
            clock += 3 * DAY;
            const now = new Date(clock);
            const order = orders.length ? orders[(step as { order?: number }).order! % orders.length] : undefined;
            switch (step.kind) {
              case "order": {
                const click = await insertClick(db, program.links[step.creator]!, new Date(now.getTime() - DAY));
                const externalId = `o${orders.length}-${storeId}`;
                await ingestOrder(
                  db,
                  storeId,
                  {
                    externalId,
                    status: step.confirmed ? "confirmed" : "pending",
                    currency: "USD",
                    total: step.total,
                    clickIds: [click],
                    placedAt: now,
                    sourceUpdatedAt: now,
                  },
                  { now },
                );
                orders.push({ externalId, total: step.total });
                break;
              }
              case "confirm":
              case "restore":
                if (order) await setOrderStatus(db, storeId, order.externalId, "confirmed", now, { now });
                break;
              case "cancel":
                if (order) await setOrderStatus(db, storeId, order.externalId, "reversed", now, { now });
                break;
              case "refund":
                if (order) {
                  await addOrderRefund(
                    db,
                    storeId,
                    order.externalId,
                    { id: `r${clock}`, amount: Math.min(step.amount, order.total) },
                    { now },
                  );
                }
                break;
              case "sweep":
                await approveDueCommissions(db, now, storeId);
                break;
              case "payout": {
                const run = await createPayoutRun(db, storeId, { now, approve: true });
                if (run.status !== "approved") break;
                const sent = await executePayoutRun(db, storeId, run.id, { ...deps, now: () => now });
                if (step.pay) {
                  for (const p of sent.payouts) {
                    if (p.status === "processing") await markPayoutPaid(db, storeId, p.id, { now });
                  }
                }
                break;
              }
            }
            const { ledger, expected, budgetUsed } = await ledgerAgreesWithCommissions(
              db,
              storeId,
              program.campaign.id,
            );
            expect(ledger).toEqual(expected);
            expect(budgetUsed).toBe(ledger.used);
            if (cap !== null) expect(ledger.remaining).toBe(cap - ledger.used);
          }
          // Paid commissions: what was paid plus the adjustments recorded since equals what is due.
          const paid = await db.commission.findMany({ where: { storeId, status: "paid" } });
          seen.paid += paid.length;
          seen.approved += await db.commission.count({ where: { storeId, status: "approved" } });
          seen.clawbacks += await db.commissionAdjustment.count({ where: { storeId } });
          for (const c of paid) {
            const adjustments = await db.commissionAdjustment.findMany({ where: { commissionId: c.id } });
            expect(Number(c.paidAmount) + adjustments.reduce((s, a) => s + Number(a.amount), 0)).toBe(Number(c.amount));
          }
        },
      ),
      { numRuns: 25, seed: 20_261_201 },
    );
    // The runs did reach the interesting states.
    expect(seen.paid).toBeGreaterThan(0);
    expect(seen.approved).toBeGreaterThan(0);
  });
});
