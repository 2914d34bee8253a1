// Races over the outbox on the real database (PostgreSQL is where they are real: several connections at once).
// The same order delivered by several deliveries at once, and the approval sweep run by several instances at
// once, enqueue each mail once; several workers claiming at once never take the same mail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveDueCommissions } from "../conversions/approve-due.ts";
import { ingestOrder } from "../orders/ingest-order.ts";
import { AFTER_HOLD, seedApproved, T0 } from "../payouts/testing/seed.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY, insertClick } from "../testing/fixtures.ts";
import { claimDueMails, enqueueCreatorMail } from "./outbox.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

describe("the outbox under concurrency", () => {
  it("enqueues one mail per event however many deliveries and sweeps race", { timeout: 120_000 }, async () => {
    const { db } = database;
    const program = await seedApproved(db, [
      { name: "Ada", email: "ada@example.com", orders: [] },
      { name: "Ben", email: "ben@example.com", orders: [] },
    ]);
    const storeId = program.store.id;
    const orders = await Promise.all(
      [0, 1, 0, 1].map(async (creator, n) => ({
        externalId: `race-${n}`,
        click: await insertClick(db, program.links[creator]!, new Date(T0.getTime() - DAY)),
      })),
    );
    // Each order arrives four times at once (a webhook, its retries and the reconciliation).
    await Promise.all(
      orders.flatMap((o) =>
        [0, 1, 2, 3].map(() =>
          ingestOrder(
            db,
            storeId,
            {
              externalId: o.externalId,
              status: "confirmed",
              currency: "USD",
              total: 40_000,
              clickIds: [o.click],
              placedAt: T0,
              sourceUpdatedAt: T0,
            },
            { now: T0 },
          ),
        ),
      ),
    );
    // Three instances sweep at once.
    await Promise.all([0, 1, 2].map(() => approveDueCommissions(db, AFTER_HOLD, storeId)));
    const commissions = await db.commission.findMany({ where: { storeId } });
    expect(commissions).toHaveLength(4);
    expect(commissions.every((c) => c.status === "approved")).toBe(true);
    const rows = await db.creatorMail.findMany({ where: { storeId } });
    const keys = rows.map((r) => r.dedupKey).sort();
    expect(keys).toEqual(
      commissions
        .flatMap((c) => [
          `commission_approved:${c.id}`,
          `commission_pending:${c.conversionId}:${c.campaignId}:${c.creatorId}`,
        ])
        .sort(),
    );
  });

  it("keeps one row when transactions enqueue the same key at once, without failing any of them", async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Dee", email: "dee@example.com", orders: [] }]);
    const storeId = program.store.id;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        db.$transaction(async (tx) => {
          const fresh = await enqueueCreatorMail(tx, {
            storeId,
            creatorId: program.creators[0]!.id,
            kind: "application_rejected",
            data: { reason: `try ${n}` },
            dedupKey: "application_rejected:ap_same",
          });
          // The transaction goes on after a conflict (ON CONFLICT DO NOTHING never aborts it).
          await tx.store.findUniqueOrThrow({ where: { id: storeId } });
          return fresh;
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db.creatorMail.count({ where: { storeId, dedupKey: "application_rejected:ap_same" } })).toBe(1);
  });

  it("never gives one mail to two workers", { timeout: 120_000 }, async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Cy", email: "cy@example.com", orders: [] }]);
    for (let n = 0; n < 60; n++)
      await enqueueCreatorMail(db, {
        storeId: program.store.id,
        creatorId: program.creators[0]!.id,
        kind: "welcome",
        data: {},
        dedupKey: `welcome:${n}`,
      });
    const now = new Date();
    const claims = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async () => {
        const mine: string[] = [];
        for (;;) {
          const batch = await claimDueMails(db, { now, leaseMs: 60_000, limit: 7 });
          if (batch.length === 0) return mine;
          mine.push(...batch.map((m) => m.id));
        }
      }),
    );
    // The first test's mails are due too: every due mail is claimed, each by one worker.
    const due = await db.creatorMail.count();
    const all = claims.flat();
    expect(due).toBe(69);
    expect(all).toHaveLength(due);
    expect(new Set(all).size).toBe(due);
  });
});
