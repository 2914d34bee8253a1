import type { Overview } from "@trailmark/core/admin";
import { type ConversionListItem, CSV_COLUMNS } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { type ProgramMetrics, programMetrics, seedMetricsStore } from "@trailmark/core/metrics";
import { toMinorUnits } from "@trailmark/core/shared";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provideDatabase } from "../db.server.ts";
import * as overviewRoute from "../routes/admin._index.tsx";
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

  it("each creator's page shows their row of the report", async () => {
    for (const row of truth.rows) {
      const { status, data } = await get<{ results: ProgramMetrics["totals"] }>(
        creatorRoute.loader,
        `/admin/creators/${row.creatorId}`,
        { owner, params: { id: row.creatorId } },
      );
      expect(status).toBe(200);
      expect({ ...counts(data.results), qualifiedClicks: data.results.qualifiedClicks }).toEqual({
        ...counts(row),
        qualifiedClicks: row.qualifiedClicks,
      });
      expect(
        data.results.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions })),
      ).toEqual(row.money);
    }
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
