// Settling a paid payout: markPayoutPaid over a run that pays 5,000 commissions (two creators), beside a bare
// baseline in the same run: one updateMany per 500 ids over the same commissions (the least any settle writes).
// `npx tsx bench/payouts/settle.ts [commissions]`; DATABASE_URL=postgresql://… for PostgreSQL.
import { loadavg } from "node:os";
import { approveDueCommissions } from "@trailmark/core/conversions";
import { inChunks } from "@trailmark/core/db";
import { ingestOrders } from "@trailmark/core/orders";
import { approvePayoutRun, createPayoutRun, markPayoutPaid } from "@trailmark/core/payouts";
import { createDiscountCode, seedProgram } from "@trailmark/core/testing";
import { machineLine, scratchDatabase } from "../bench-database.ts";

const COUNT = Number(process.argv[2] ?? 5_000);
const DAY = 86_400_000;
const NOW = new Date("2026-06-30T12:00:00Z");

async function seeded() {
  const scratch = await scratchDatabase("payout_settle");
  const db = scratch.database.db;
  const program = await seedProgram(db, {
    campaign: { holdingDays: 0 },
    creators: [{ name: "Ada" }, { name: "Ben" }],
  });
  const storeId = program.store.id;
  for (const [i, c] of program.creators.entries()) {
    await createDiscountCode(db, storeId, { campaignId: program.campaign.id, creatorId: c.id, code: `CODE${i}` });
  }
  for (let i = 0; i < COUNT; i += 500) {
    const orders = Array.from({ length: Math.min(500, COUNT - i) }, (_, k) => {
      const at = new Date(NOW.getTime() - 20 * DAY + (i + k) * 60_000);
      return {
        externalId: `b-${i + k}`,
        status: "confirmed" as const,
        currency: "USD",
        total: 5_000 + ((i + k) % 97),
        discountCodes: [`CODE${(i + k) % 2}`],
        placedAt: at,
        sourceUpdatedAt: at,
      };
    });
    await ingestOrders(db, storeId, orders, { now: new Date(NOW.getTime() - 15 * DAY) });
  }
  await approveDueCommissions(db, NOW, storeId);
  return { scratch, db, storeId };
}

async function main() {
  console.log(machineLine(), `load ${loadavg()[0]!.toFixed(1)}`, process.env.DATABASE_URL ? "PostgreSQL" : "SQLite");
  // Baseline: the bare write, on its own seeded store.
  {
    const { scratch, db, storeId } = await seeded();
    const ids = (await db.commission.findMany({ where: { storeId }, select: { id: true } })).map((c) => c.id);
    const t = performance.now();
    await db.$transaction(async (tx) => {
      await inChunks(ids, async (chunk) => [
        await tx.commission.updateMany({ where: { storeId, id: { in: chunk } }, data: { status: "paid" } }),
      ]);
    });
    console.log(`baseline updateMany of ${ids.length} commissions: ${(performance.now() - t).toFixed(0)} ms`);
    await scratch.drop();
  }
  {
    const { scratch, db, storeId } = await seeded();
    const run = await createPayoutRun(db, storeId, { now: NOW });
    await approvePayoutRun(db, storeId, run.id, { now: NOW });
    const t = performance.now();
    for (const p of run.payouts) await markPayoutPaid(db, storeId, p.id, { now: NOW });
    const ms = performance.now() - t;
    const paid = await db.commission.count({ where: { storeId, status: "paid" } });
    console.log(`markPayoutPaid, ${run.payouts.length} payouts, ${paid} commissions settled: ${ms.toFixed(0)} ms`);
    await scratch.drop();
  }
}

await main();
