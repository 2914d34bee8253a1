import type { Overview } from "@trailmark/core/admin";
import { type ConversionListItem, CSV_COLUMNS } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { type ProgramMetrics, programMetrics, seedMetricsStore } from "@trailmark/core/metrics";
import { toMinorUnits } from "@trailmark/core/shared";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provideDatabase } from "../db.server.ts";
import * as overviewRoute from "../routes/admin._index.tsx";
import * as campaignRoute from "../routes/admin.campaigns.$id.tsx";
import * as conversionsRoute from "../routes/admin.conversions._index.tsx";
import * as exportRoute from "../routes/admin.conversions.export.ts";
import * as creatorRoute from "../routes/admin.creators.$id.tsx";
import { get, ORIGIN, type Owner, signInOwner } from "./test-support.ts";

// The admin's pages, through their loaders as Remix calls them, tell the same story as core/src/metrics on a
// store with cancelled, fully and partly refunded, EUR, rejected and API-reported orders
// (core/src/metrics/consistency.test.ts checks the CLI report and the API on the same store).

let database: TestDatabase;
let db: Db;
let storeId: string;
let owner: Owner;
let truth: ProgramMetrics;
beforeAll(async () => {
  process.env.SHOPIFY_APP_URL = ORIGIN;
  database = await createTestDatabase();
  db = database.db;
  provideDatabase(database);
  const { program } = await seedMetricsStore(db);
  storeId = program.store.id;
  owner = await signInOwner(db, storeId);
  truth = await programMetrics(db, storeId, "USD");
});
afterAll(async () => {
  await database.destroy();
});

const MARCH = "?from=2026-03-01&to=2026-03-31";
const MARCH_RANGE = { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z") };
type Countable = { purchases: number; refunded: number; cancelled: number; signUps: number };
const metricCounts = (r: Countable & { qualifiedClicks: number; rawClicks: number }) => ({
  purchases: r.purchases,
  refunded: r.refunded,
  cancelled: r.cancelled,
  signUps: r.signUps,
  qualifiedClicks: r.qualifiedClicks,
  rawClicks: r.rawClicks,
});
const shownCounts = (o: Overview) =>
  metricCounts({ ...o, qualifiedClicks: o.clicks.qualified, rawClicks: o.clicks.raw });
const shownMoney = (o: Overview) =>
  o.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions }));
/** The chart's days add up to the figures above it (the first currency's money, every conversion). */
function expectSeriesAddsUp(o: Overview) {
  const sum = (k: "qualifiedClicks" | "rawClicks" | "conversions" | "revenue" | "commissions") =>
    o.series.reduce((s, d) => s + d[k], 0);
  expect(sum("qualifiedClicks")).toBe(o.clicks.qualified);
  expect(sum("rawClicks")).toBe(o.clicks.raw);
  expect(sum("conversions")).toBe(o.purchases + o.signUps);
  const home = o.money[0]!;
  expect(sum("revenue")).toBe(home.revenue);
  expect(sum("commissions")).toBe(home.commissions.pending + home.commissions.approved + home.commissions.paid);
}
const counts = (r: { purchases: number; refunded: number; cancelled: number; signUps: number }) => ({
  purchases: r.purchases,
  refunded: r.refunded,
  cancelled: r.cancelled,
  signUps: r.signUps,
});

describe("the admin's figures", () => {
  it("the Overview shows the same counts and, per currency, the same money", async () => {
    const { status, data } = await get<{ overview: Overview }>(overviewRoute.loader, `/admin${MARCH}`, { owner });
    expect(status).toBe(200);
    const o = data.overview;
    expect({ ...counts(o), qualifiedClicks: o.clicks.qualified }).toEqual({
      ...counts(truth.totals),
      qualifiedClicks: truth.totals.qualifiedClicks,
    });
    expect(o.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions }))).toEqual(
      truth.totals.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions })),
    );
    // Dollars and euros side by side, never one total.
    expect(o.money.map((m) => m.currency)).toEqual(["USD", "EUR"]);
  });

  it("each creator's page shows their row of the report for the chosen range, with its daily series", async () => {
    const ranged = await programMetrics(db, storeId, "USD", MARCH_RANGE);
    expect(ranged.rows.length).toBeGreaterThan(1);
    for (const row of ranged.rows) {
      const { status, data } = await get<{ performance: Overview }>(
        creatorRoute.loader,
        `/admin/creators/${row.creatorId}${MARCH}`,
        { owner, params: { id: row.creatorId } },
      );
      expect(status).toBe(200);
      expect(shownCounts(data.performance), row.creatorName).toEqual(metricCounts(row));
      expect(shownMoney(data.performance), row.creatorName).toEqual(row.money);
      expectSeriesAddsUp(data.performance);
    }
    // Outside the range the creator has nothing.
    const ada = ranged.rows[0]!;
    const { data } = await get<{ performance: Overview }>(
      creatorRoute.loader,
      `/admin/creators/${ada.creatorId}?from=2026-01-01&to=2026-01-31`,
      { owner, params: { id: ada.creatorId } },
    );
    expect(shownCounts(data.performance)).toMatchObject({ purchases: 0, signUps: 0, qualifiedClicks: 0 });
  });

  it("the campaign's page shows the campaign's figures for the chosen range, with its daily series", async () => {
    const campaign = await db.campaign.findFirstOrThrow({ where: { storeId } });
    const scoped = await programMetrics(db, storeId, campaign.currency, { ...MARCH_RANGE, campaignId: campaign.id });
    expect(scoped.totals.purchases).toBeGreaterThan(0);
    const { status, data } = await get<{ performance: Overview }>(
      campaignRoute.loader,
      `/admin/campaigns/${campaign.id}${MARCH}`,
      { owner, params: { id: campaign.id } },
    );
    expect(status).toBe(200);
    expect(shownCounts(data.performance)).toEqual(metricCounts(scoped.totals));
    expect(shownMoney(data.performance)).toEqual(
      scoped.totals.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions })),
    );
    expectSeriesAddsUp(data.performance);
    expect(data.performance.series.reduce((s, d) => s + d.revenue, 0)).toBe(scoped.totals.money[0]!.revenue);
  });

  it("the conversions list and its CSV count each conversion as the report does, and add up to its money", async () => {
    const { data } = await get<{ list: { items: ConversionListItem[]; total: number } }>(
      conversionsRoute.loader,
      `/admin/conversions${MARCH}`,
      { owner },
    );
    const items = data.list.items;
    expect(items.length).toBe(data.list.total);
    const tally = (values: (string | null)[]) => ({
      purchases: values.filter((v) => v === "purchase").length,
      refunded: values.filter((v) => v === "refunded").length,
      cancelled: values.filter((v) => v === "cancelled").length,
      signUps: values.filter((v) => v === "sign_up").length,
    });
    expect(tally(items.map((c) => c.counted))).toEqual(counts(truth.totals));

    const { response } = await get(exportRoute.loader, `/admin/conversions/export${MARCH}`, { owner });
    const [header, ...lines] = (await response!.text()).trimEnd().split("\r\n");
    expect(header).toBe(CSV_COLUMNS.join(","));
    const col = (line: string, name: (typeof CSV_COLUMNS)[number]) => line.split(",")[CSV_COLUMNS.indexOf(name)] ?? "";
    const byConversion = new Map(lines.map((l) => [col(l, "conversion_id"), col(l, "counted_as") || null]));
    expect(tally([...byConversion.values()])).toEqual(counts(truth.totals));
    for (const m of truth.totals.money) {
      const mine = lines.filter((l) => col(l, "currency") === m.currency);
      const sum = (name: (typeof CSV_COLUMNS)[number]) =>
        mine.reduce((s, l) => s + (col(l, name) ? toMinorUnits(col(l, name), m.currency) : 0), 0);
      expect(sum("revenue"), m.currency).toBe(m.revenue);
      expect(sum("commission_reversed"), m.currency).toBe(m.commissions.reversed);
    }
  });
});
