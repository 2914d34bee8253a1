// npx tsx bench/admin/run.ts [clicks] [orders] [sqlite|postgresql ...]
// Seeds a store (bench/admin/seed.ts) on each database and times every admin page's loader, as the route calls
// it, with the store context already resolved (the session lookup is one indexed read). Prints a Markdown table
// for docs/benchmarks.md.
import { cpus, loadavg } from "node:os";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { createPayoutRun } from "../../core/src/payouts/index.ts";
import { createPortal } from "../../core/src/portal/index.ts";
import { createMemoryMailer } from "../../core/src/portal/mailer.ts";
import { createCreatorSignInToken, redeemCreatorSignInToken } from "../../core/src/portal/sessions.ts";
import { hashEmail } from "../../core/src/shared/hashing.ts";
import { requireStore } from "../../core/src/stores/store.ts";
import { campaignLoader, campaignsLoader } from "../../shopify-app/app/admin/pages/campaigns.server.ts";
import { conversionLoader, conversionsLoader } from "../../shopify-app/app/admin/pages/conversions.server.ts";
import { creatorLoader, creatorsLoader } from "../../shopify-app/app/admin/pages/creators.server.ts";
import { modelsLoader } from "../../shopify-app/app/admin/pages/models.server.ts";
import { overviewLoader } from "../../shopify-app/app/admin/pages/overview.server.ts";
import { settingsLoader } from "../../shopify-app/app/admin/pages/settings.server.ts";
import type { RequireStoreContext, StoreContext } from "../../shopify-app/app/admin/store-context.server.ts";
import { type Provider, scratchDatabase } from "../bench-database.ts";
import { seedAdminStore } from "./seed.ts";

const clicks = Number(process.argv[2] ?? 1_000_000);
const orders = Number(process.argv[3] ?? 50_000);
const providers = (process.argv.slice(4).length ? process.argv.slice(4) : ["sqlite", "postgresql"]) as Provider[];
const RUNS = 40;
const PORTAL_EMAIL = "bench.creator@example.com";
const WARMUP = 5;

type Loader = (args: LoaderFunctionArgs, ctx: RequireStoreContext) => Promise<unknown>;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(
  loader: Loader,
  path: string,
  params: Record<string, string>,
  ctx: RequireStoreContext,
  before?: () => Promise<unknown>,
) {
  const run = () => loader({ request: new Request(`http://bench.test${path}`), params, context: {} }, ctx);
  for (let i = 0; i < WARMUP; i++) {
    await before?.();
    await run();
  }
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Untimed: what happened since the last load (here, changes to a few past days).
    await before?.();
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

console.log(
  `## Admin page loaders (${clicks.toLocaleString("en-US")} clicks, ${orders.toLocaleString("en-US")} orders)\n`,
);
console.log(
  `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${RUNS} runs after ${WARMUP} warm-up runs, in ms.\n`,
);
const rows: string[] = [];
const notes: string[] = [];
for (const provider of providers) {
  const { database, drop } = await scratchDatabase("admin", provider);
  try {
    const seeded = await seedAdminStore(database, { clicks, orders, log: (m) => console.error(`${provider}${m}`) });
    console.error(`${provider}: seeded in ${seeded.seconds.toFixed(0)} s`);
    const store = await requireStore(database.db, seeded.storeId);
    const context: StoreContext = {
      mode: "standalone",
      storeId: store.id,
      store,
      db: database.db,
      base: "/admin",
      csrfToken: "bench",
      who: "bench@example.com",
      graphql: null,
    };
    const ctx: RequireStoreContext = async () => context;
    const campaign = seeded.campaignIds[0]!;
    const creator = seeded.creatorIds[0]!;
    const conversion = seeded.sampleConversionIds[0]!;
    // The first Overview of a long range after seeding rolls every closed day up (clicks and conversions).
    const t0 = performance.now();
    await overviewLoader(
      { request: new Request(`http://bench.test/admin?from=${day(-89)}&to=${day(0)}`), params: {}, context: {} },
      ctx,
    );
    const first = performance.now() - t0;
    notes.push(
      `${provider}: first Overview of 90 days, rolling every closed day up, ${first.toFixed(0)} ms` +
        ` (load average ${loadavg()[0]!.toFixed(2)})`,
    );
    console.error(notes.at(-1));
    // Statistics for the rollup tables just filled, as the seed has them for the rest (autovacuum would soon).
    if (provider === "postgresql") await database.db.$executeRawUnsafe("ANALYZE");
    else await database.db.$queryRawUnsafe("ANALYZE");
    // As a refund, a cancellation, the approval sweep or a payout would: three past days changed before each load.
    const today = Math.floor(Date.now() / 86_400_000);
    const changeThreeDays = () =>
      database.db.conversionRollupStale.createMany({
        data: [5, 30, 60].map((ago) => ({ storeId: store.id, day: today - ago })),
      });
    const pages: [string, Loader, string, Record<string, string>, (() => Promise<unknown>)?][] = [
      ["Overview, last 30 days", overviewLoader, "/admin", {}],
      ["Overview, 90 days", overviewLoader, `/admin?from=${day(-89)}&to=${day(0)}`, {}],
      [
        "Overview, 90 days, three past days changed since the last load",
        overviewLoader,
        `/admin?from=${day(-89)}&to=${day(0)}`,
        {},
        changeThreeDays,
      ],
      [
        "Overview, one campaign, 90 days",
        overviewLoader,
        `/admin?from=${day(-89)}&to=${day(0)}&campaignId=${campaign}`,
        {},
      ],
      ["Campaigns", campaignsLoader, "/admin/campaigns", {}],
      ["Campaign", campaignLoader, `/admin/campaigns/${campaign}`, { id: campaign }],
      ["Creators", creatorsLoader, "/admin/creators", {}],
      ["Creator", creatorLoader, `/admin/creators/${creator}`, { id: creator }],
      ["Conversions, first page", conversionsLoader, "/admin/conversions", {}],
      ["Conversions, page 1000", conversionsLoader, "/admin/conversions?page=1000", {}],
      ["Conversions, one creator", conversionsLoader, `/admin/conversions?creatorId=${creator}`, {}],
      ["Conversions, order number search", conversionsLoader, `/admin/conversions?q=${seeded.sampleOrderNumber}`, {}],
      ["Conversion journey", conversionLoader, `/admin/conversions/${conversion}`, { id: conversion }],
      ["Model comparison, 90 days", modelsLoader, "/admin/models", {}],
      ["Settings", settingsLoader, "/admin/settings", {}],
    ];
    for (const [name, loader, path, params, before] of pages) {
      const t = await time(loader, path, params, ctx, before);
      rows.push(`| ${name} | ${provider} | ${t.p50.toFixed(1)} | ${t.p95.toFixed(1)} |`);
      console.error(`${provider} ${name}: p50 ${t.p50.toFixed(1)} p95 ${t.p95.toFixed(1)}`);
    }
    // The creator portal, for one of the store's 50 creators, through its whole handler as a browser calls it:
    // session lookup, queries and the rendered HTML. A payout run first, so the creator has payouts to open.
    const { db } = database;
    await db.creator.update({
      where: { id: creator },
      data: { email: PORTAL_EMAIL, emailHash: hashEmail(PORTAL_EMAIL) },
    });
    await createPayoutRun(db, store.id);
    const portal = createPortal({ db, publicUrl: "https://bench.test", mailer: createMemoryMailer() });
    const link = await createCreatorSignInToken(db, PORTAL_EMAIL, new Date());
    const grant = await redeemCreatorSignInToken(db, link!.token, new Date());
    const cookie = `tm_portal=${grant!.token}`;
    const portalPage: Loader = async ({ request }) => {
      const response = await portal.route(new Request(request.url, { headers: { cookie } }), { clientIp: null })!;
      if (response.status !== 200) throw new Error(`${request.url}: ${response.status}`);
      return response.text();
    };
    const someCommission = await db.commission.findFirst({
      where: { storeId: store.id, creatorId: creator, status: "rejected" },
      select: { id: true },
    });
    const refunded = await db.commission.findFirst({
      where: {
        storeId: store.id,
        creatorId: creator,
        amount: { lt: db.commission.fields.original },
        status: { not: "rejected" },
      },
      select: { id: true },
    });
    const payout = await db.payout.findFirst({
      where: { storeId: store.id, creatorId: creator },
      select: { id: true },
    });
    const portalPages: [string, string, (() => Promise<unknown>)?][] = [
      ["Portal overview, 30 days", "/portal"],
      ["Portal overview, 90 days", "/portal?range=90"],
      ["Portal overview, 90 days, three past days changed since the last load", "/portal?range=90", changeThreeDays],
      ["Portal links and codes (QR codes)", "/portal/links"],
      ["Portal conversions, first page", "/portal/conversions"],
      ["Portal conversions, page 20", "/portal/conversions?page=20"],
      ["Portal conversions, reversed only", "/portal/conversions?status=reversed"],
      ...(someCommission
        ? ([["Portal conversion, rejected", `/portal/conversions/${someCommission.id}`]] as [string, string][])
        : []),
      ...(refunded
        ? ([["Portal conversion, refunded", `/portal/conversions/${refunded.id}`]] as [string, string][])
        : []),
      ["Portal payouts", "/portal/payouts"],
      ...(payout ? ([["Portal payout with its lines", `/portal/payouts/${payout.id}`]] as [string, string][]) : []),
      ["Portal settings", "/portal/settings"],
      ["Portal earnings CSV (every commission of the creator)", "/portal/earnings.csv"],
    ];
    const mine = await db.commission.count({ where: { storeId: store.id, creatorId: creator } });
    notes.push(`${provider}: the portal's creator has ${mine.toLocaleString("en-US")} commissions`);
    for (const [name, path, before] of portalPages) {
      const t = await time(portalPage, path, {}, ctx, before);
      rows.push(`| ${name} | ${provider} | ${t.p50.toFixed(1)} | ${t.p95.toFixed(1)} |`);
      console.error(`${provider} ${name}: p50 ${t.p50.toFixed(1)} p95 ${t.p95.toFixed(1)}`);
    }
  } finally {
    await drop();
  }
}
console.log("| page | database | p50 | p95 |");
console.log("|---|---|---:|---:|");
for (const row of rows) console.log(row);
console.log("");
for (const note of notes) console.log(note);
console.log(
  `Load average (1, 5, 15 min) at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}`,
);

function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}
