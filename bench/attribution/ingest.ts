import { ingestOrders } from "@trailmark/core/orders";
import { insertClick, seedProgram } from "@trailmark/core/testing";
import { scratchDatabase } from "../bench-database.ts";

export interface IngestFigures {
  provider: string;
  orders: number;
  seconds: number;
  ordersPerSecond: number;
  concurrency: number;
  batchSize: number;
}

export async function benchIngest(
  provider: "sqlite" | "postgresql",
  orders = 3000,
  concurrency = 2,
  batchSize = 200,
): Promise<IngestFigures> {
  const { database, drop } = await scratchDatabase("ingest", provider);
  try {
    const { db } = database;
    const creators = Array.from({ length: 10 }, (_, i) => ({ name: `Creator ${i}` }));
    const { store, links } = await seedProgram(db, {
      campaign: { attributionModel: "linear", budgetCap: null },
      creators,
    });
    const start = new Date(Date.now() - 7 * 86_400_000);
    const clickIds: string[] = [];
    for (let i = 0; i < orders * 2; i++)
      clickIds.push(await insertClick(db, links[i % links.length]!, new Date(start.getTime() + i * 1000)));
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (;;) {
          const first = next;
          next += batchSize;
          if (first >= orders) return;
          const batch = [];
          for (let i = first; i < Math.min(first + batchSize, orders); i++) {
            const placed = new Date(start.getTime() + orders * 2000 + i);
            batch.push({
              externalId: `bench-${i}`,
              status: "confirmed" as const,
              currency: "USD",
              total: 1000 + (i % 500) * 10,
              clickIds: [clickIds[2 * i]!, clickIds[2 * i + 1]!],
              placedAt: placed,
              sourceUpdatedAt: placed,
            });
          }
          await ingestOrders(db, store.id, batch);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const stored = await db.commission.count({ where: { storeId: store.id } });
    if (stored < orders) throw new Error(`expected at least ${orders} commissions, found ${stored}`);
    return { provider, orders, seconds, ordersPerSecond: orders / seconds, concurrency, batchSize };
  } finally {
    await database.close();
    await drop();
  }
}
