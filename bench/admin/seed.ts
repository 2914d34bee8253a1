// A store the size the admin must stay fast for: 50 creators in 3 campaigns, a million clicks over 90 days
// (85% qualified, 10% repeats, 5% bots) and 50,000 orders through the real ingestion path (most referred by a
// click, some by two, some refunded or cancelled, some by nobody), plus browser visits for the journeys.
import { randomBytes } from "node:crypto";
import { createCampaign } from "@trailmark/core/campaigns";
import { createCreator } from "@trailmark/core/creators";
import type { Database } from "@trailmark/core/db";
import { insertRows } from "@trailmark/core/db";
import { createLink, newClickId } from "@trailmark/core/links";
import type { NormalizedOrderInput } from "@trailmark/core/orders";
import { ingestOrders } from "@trailmark/core/orders";
import { newId } from "@trailmark/core/shared";
import { createStore } from "@trailmark/core/stores";

const DAY = 86_400_000;

/** A deterministic pseudo-random sequence, so every run seeds the same store. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface SeededStore {
  storeId: string;
  campaignIds: string[];
  creatorIds: string[];
  /** Order numbers to search for, and conversions to open. */
  sampleOrderNumber: string;
  sampleConversionIds: string[];
  seconds: number;
}

export async function seedAdminStore(
  database: Database,
  options: { clicks?: number; orders?: number; creators?: number; log?: (m: string) => void } = {},
): Promise<SeededStore> {
  const { db } = database;
  const clicks = options.clicks ?? 1_000_000;
  const orders = options.orders ?? 50_000;
  const creatorCount = options.creators ?? 50;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const rand = random(42);
  const domain = "bench-admin.example.com";
  const { store } = await createStore(db, { platform: "custom", domain, currency: "USD", name: "Bench Store" });
  const campaigns = [];
  for (const [name, model] of [
    ["Spring", "last_click"],
    ["Summer", "linear"],
    ["Evergreen", "time_decay"],
  ] as const) {
    campaigns.push(
      await createCampaign(db, store.id, {
        name,
        attributionModel: model,
        goals: ["purchase", "sign_up"],
        commissionRules: {
          purchase: { type: "percentage", basisPoints: 1000 },
          sign_up: { type: "flat", amount: 200 },
        },
      }),
    );
  }
  const creators = [];
  for (let i = 0; i < creatorCount; i++) creators.push(await createCreator(db, store.id, { name: `Creator ${i + 1}` }));
  const links = [];
  for (const campaign of campaigns)
    for (const creator of creators)
      links.push(
        await createLink(db, store.id, {
          campaignId: campaign.id,
          creatorId: creator.id,
          destinationUrl: `https://${domain}/`,
        }),
      );

  // Clicks, oldest first, over the last 90 days.
  const now = Date.now();
  const start = now - 90 * DAY;
  // A sample of the qualified clicks, spread over the whole period, refers the orders.
  const pool: { id: string; at: number }[] = [];
  const keep = Math.min(1, (orders * 1.2) / (clicks * 0.85));
  const CHUNK = 5000;
  for (let done = 0; done < clicks; done += CHUNK) {
    const rows = [];
    for (let i = done; i < Math.min(done + CHUNK, clicks); i++) {
      const link = links[Math.floor(rand() * links.length)]!;
      const at = start + Math.floor(((i + rand()) / clicks) * 90 * DAY);
      const r = rand();
      const qualification = r < 0.85 ? "qualified" : r < 0.95 ? "repeat" : "bot";
      const id = newClickId();
      if (qualification === "qualified" && rand() < keep) pool.push({ id, at });
      rows.push({
        id,
        storeId: store.id,
        linkId: link.id,
        campaignId: link.campaignId,
        creatorId: link.creatorId,
        visitorHash: randomBytes(8).toString("hex"),
        qualification,
        country: null,
        referrerHost: r < 0.5 ? "instagram.com" : "youtube.com",
        occurredAt: new Date(at),
      });
    }
    await insertRows(db, "Click", rows);
    if (done % 200_000 === 0) log(`  clicks: ${done.toLocaleString("en-US")}`);
  }
  // Orders through the real ingestion path, in batches as a busy store's webhooks arrive.
  const batch: NormalizedOrderInput[][] = [];
  for (let i = 0; i < orders; i++) {
    const r = rand();
    // Spread over the whole pool, so orders come in every day up to today (today's are counted live).
    const click = pool[Math.floor((i * pool.length) / orders)]!;
    const second = pool[(i * 7 + 3) % pool.length]!;
    const placedAt = new Date(click.at + Math.floor(rand() * Math.max(0, Math.min(3 * DAY, now - 60_000 - click.at))));
    const clickIds = r < 0.1 ? [] : r < 0.3 ? [click.id, second.id] : [click.id];
    const total = 2000 + Math.floor(rand() * 20_000);
    const status = r > 0.98 ? ("reversed" as const) : ("confirmed" as const);
    const refunds = r > 0.95 && r <= 0.98 ? [{ id: `r-${i}`, amount: Math.floor(total / 3) }] : [];
    const index = Math.floor(i / 200);
    batch[index] ??= [];
    batch[index].push({
      externalId: `bench-order-${i}`,
      number: `#${10_000 + i}`,
      status,
      currency: "USD",
      total,
      refunds,
      clickIds,
      placedAt,
      sourceUpdatedAt: placedAt,
    });
  }
  let next = 0;
  let ingested = 0;
  await Promise.all(
    Array.from({ length: database.provider === "postgresql" ? 1 : 4 }, async () => {
      for (;;) {
        const mine = batch[next++];
        if (!mine) return;
        await ingestOrders(db, store.id, mine, { now: new Date(now) });
        ingested += mine.length;
        if (ingested % 10_000 === 0) log(`  orders: ${ingested.toLocaleString("en-US")}`);
      }
    }),
  );

  // Browser visits on a sample of the orders' journeys.
  const visitors = [];
  const events = [];
  for (let i = 0; i < 2000; i++) {
    const click = pool[i % pool.length]!;
    const visitorId = newId("vi");
    visitors.push({
      id: visitorId,
      storeId: store.id,
      externalId: `bench-visitor-${i}`,
      firstSeenAt: new Date(click.at),
      lastSeenAt: new Date(click.at + 60_000),
    });
    for (let j = 0; j < 3; j++) {
      events.push({
        id: newId("ev"),
        storeId: store.id,
        eventKey: `bench-pv-${i}-${j}`,
        type: "page_view",
        source: "script",
        visitorId,
        clickIds: JSON.stringify([click.id]),
        url: `https://${domain}/page-${j}`,
        occurredAt: new Date(click.at + j * 30_000),
        receivedAt: new Date(click.at + j * 30_000),
      });
    }
  }
  await insertRows(db, "Visitor", visitors);
  await insertRows(db, "Event", events);
  if (database.provider === "postgresql") await db.$executeRawUnsafe("VACUUM ANALYZE");
  else await db.$queryRawUnsafe("ANALYZE");

  const samples = await db.conversion.findMany({
    where: { storeId: store.id, status: "attributed" },
    orderBy: { occurredAt: "desc" },
    take: 20,
    select: { id: true },
  });
  return {
    storeId: store.id,
    campaignIds: campaigns.map((c) => c.id),
    creatorIds: creators.map((c) => c.id),
    sampleOrderNumber: `${10_000 + Math.floor(orders / 2)}`,
    sampleConversionIds: samples.map((s) => s.id),
    seconds: (performance.now() - started) / 1000,
  };
}
