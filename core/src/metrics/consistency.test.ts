// One store with cancelled, fully refunded, partly refunded, multi-currency and rejected orders: every
// surface tells the same story. Each surface is read through the function its page or command calls:
// the Overview (admin/overview.ts), the conversions list and its CSV (admin/conversions.ts), the creator
// page (metrics/program-metrics.ts with a creator, as creators.server.ts calls it) and the CLI report
// (text and JSON, through runCli).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSV_COLUMNS, conversionsCsvLines, listConversions } from "../admin/conversions.ts";
import { overview } from "../admin/overview.ts";
import type { AdminProgram } from "../admin/test-program.ts";
import { recordApiConversion } from "../api/record-conversion.ts";
import { runCli } from "../cli/commands.ts";
import { updateCreator } from "../creators/creator.ts";
import { creatorActivity } from "../portal/portal-activity.ts";
import { portalEarnings } from "../portal/portal-conversions.ts";
import { portalOverview } from "../portal/portal-data.ts";
import { hashEmail } from "../shared/hashing.ts";
import { formatMinorUnits } from "../shared/money.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { COMMISSION_BUCKETS, type CurrencyFigures } from "./definitions.ts";
import { programMetrics } from "./program-metrics.ts";
import { API_PURCHASE, METRICS_RANGE as RANGE, seedMetricsStore, T0 } from "./test-store.ts";

const DAY_MS = 86_400_000;

let database: TestDatabase;
let program: AdminProgram;

beforeAll(async () => {
  database = await createTestDatabase();
  const seeded = await seedMetricsStore(database.db);
  program = seeded.program;
  apiClick = seeded.apiClick;
  expect(seeded.recorded.commissions).toMatchObject([{ amount: 400, original: 400, reversed: 0, currency: "USD" }]);
});
let apiClick = "";
afterAll(async () => {
  await database.destroy();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    db: database.db,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    publicUrl: "https://t.example",
  });
  expect(err).toEqual([]);
  expect(code).toBe(0);
  return out.join("\n");
}

type JsonMoney = { amount: string; currency: string };
type JsonFigures = { currency: string; revenue: JsonMoney; commissions: Record<string, JsonMoney> };
type JsonCounts = { purchases: number; refunded: number; cancelled: number; signUps: number; qualifiedClicks: number };
type JsonReport = {
  rows: (JsonCounts & { creatorName: string; money: JsonFigures[] })[];
  totals: JsonCounts & { money: JsonFigures[] };
};

/** Figures as labelled money, the way the JSON report writes them. */
function labelled(money: CurrencyFigures[]): JsonFigures[] {
  return money.map((m) => ({
    currency: m.currency,
    revenue: { amount: formatMinorUnits(m.revenue, m.currency), currency: m.currency },
    commissions: Object.fromEntries(
      COMMISSION_BUCKETS.map((k) => [
        k,
        { amount: formatMinorUnits(m.commissions[k], m.currency), currency: m.currency },
      ]),
    ),
  }));
}

const counts = (r: JsonCounts) => ({
  purchases: r.purchases,
  refunded: r.refunded,
  cancelled: r.cancelled,
  signUps: r.signUps,
  qualifiedClicks: r.qualifiedClicks,
});

describe("one set of numbers", () => {
  it("counts each order by what became of it and keeps each currency apart", async () => {
    const report = await programMetrics(database.db, program.store.id, "USD", RANGE);
    // 1001, 1002, the EUR 1007 and the API's 1008 are purchases; 1006 was refunded in full, 1003 cancelled; the
    // test order 1004 was rejected and the unreferred 1005 has no creator.
    expect(counts(report.totals)).toEqual({ purchases: 4, refunded: 1, cancelled: 1, signUps: 1, qualifiedClicks: 9 });
    const [usd, eur] = report.totals.money;
    // 200.00 (1001) + 70.00 (1002, 100.00 - 30.00) + 30.00 (1008, 40.00 - 10.00); 1006 and 1003 bring nothing.
    expect(usd).toMatchObject({ currency: "USD", revenue: 30_000 });
    // 10% of 200.00, 70.00 and 30.00, the 2.00 sign-up; 3.00 of 1002, 1.00 of 1008, all of 1003 (10.00) and
    // 1006 (5.00) reversed; the test order's 10.00 rejected.
    expect(usd!.commissions).toEqual({
      pending: 2_000 + 700 + 300 + 200,
      approved: 0,
      paid: 0,
      reversed: 300 + 100 + 1_000 + 500,
      rejected: 1_000,
      over_budget: 0,
    });
    // 123.45 - 23.45 refunded, never added to dollars.
    expect(eur).toMatchObject({ currency: "EUR", revenue: 10_000 });
    expect(eur!.commissions).toMatchObject({ pending: 1_000, reversed: 1_235 - 1_000 });
  });

  it("the Overview, the CLI report (text and JSON), the creator page, the conversions list, the CSV and the API agree", async () => {
    const { db } = database;
    const storeId = program.store.id;
    const from = RANGE.from.toISOString();
    const to = RANGE.to.toISOString();
    const truth = await programMetrics(db, storeId, "USD", RANGE);

    // The CLI report, store-wide and for the one campaign, as JSON.
    const json = JSON.parse(
      await cli("report", "--store", storeId, "--from", from, "--to", to, "--json"),
    ) as JsonReport;
    expect(counts(json.totals)).toEqual(counts(truth.totals));
    expect(json.totals.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions }))).toEqual(
      labelled(truth.totals.money),
    );
    const campaign = JSON.parse(
      await cli("report", "--store", storeId, "--campaign", program.campaign.id, "--from", from, "--to", to, "--json"),
    ) as JsonReport;
    expect(campaign.totals).toEqual(json.totals);

    // The CLI report as text: the TOTAL lines carry the same figures.
    const text = await cli("report", "--store", storeId, "--from", from, "--to", to);
    const totalAt = text.split("\n").findIndex((l) => l.startsWith("TOTAL"));
    const totalLines = text.split("\n").slice(totalAt, totalAt + truth.totals.money.length);
    for (const [i, m] of truth.totals.money.entries()) {
      const cells = totalLines[i]!.trim().split(/\s{2,}/);
      const money = cells.slice(-8);
      expect(money).toEqual([
        m.currency,
        ...[m.revenue, ...COMMISSION_BUCKETS.map((k) => m.commissions[k])].map((n) => formatMinorUnits(n, m.currency)),
      ]);
      if (i === 0) {
        const t = truth.totals;
        expect(cells.slice(1, 7).map(Number)).toEqual([
          t.rawClicks,
          t.qualifiedClicks,
          t.signUps,
          t.purchases,
          t.refunded,
          t.cancelled,
        ]);
      }
    }

    // The admin Overview: the same counts and, per currency, the same money.
    const o = await overview(db, storeId, RANGE);
    expect({
      purchases: o.purchases,
      refunded: o.refunded,
      cancelled: o.cancelled,
      signUps: o.signUps,
      qualifiedClicks: o.clicks.qualified,
    }).toEqual(counts(truth.totals));
    expect(o.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions }))).toEqual(
      truth.totals.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions })),
    );
    for (const row of truth.rows) {
      const shown = o.creators.find((c) => c.creatorId === row.creatorId)!;
      expect([shown.purchases, shown.refunded, shown.cancelled, shown.signUps, shown.qualifiedClicks]).toEqual([
        row.purchases,
        row.refunded,
        row.cancelled,
        row.signUps,
        row.qualifiedClicks,
      ]);
      expect(shown.money).toEqual(
        row.money
          .filter(
            (m) =>
              m.revenue !== 0 ||
              m.commissions.pending + m.commissions.approved + m.commissions.paid !== 0 ||
              m.currency === "USD",
          )
          .map((m) => ({
            currency: m.currency,
            revenue: m.revenue,
            commissions: m.commissions.pending + m.commissions.approved + m.commissions.paid,
          })),
      );
      // The creator page: the Overview's figures for the one creator are their row of the report.
      const mine = await overview(db, storeId, { ...RANGE, creatorId: row.creatorId });
      expect({
        purchases: mine.purchases,
        refunded: mine.refunded,
        cancelled: mine.cancelled,
        signUps: mine.signUps,
        qualifiedClicks: mine.clicks.qualified,
      }).toEqual(counts(row));
      expect(mine.clicks.raw).toBe(row.rawClicks);
      expect(mine.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions }))).toEqual(
        row.money,
      );
      const page = await programMetrics(db, storeId, "USD", { ...RANGE, creatorId: row.creatorId });
      expect(page.rows).toEqual([row]);
      expect(counts(page.totals)).toEqual(counts(row));
      expect(
        page.totals.money.map(({ currency, revenue, commissions }) => ({ currency, revenue, commissions })),
      ).toEqual(row.money);
    }

    // The conversions list: each conversion says how it counts, and its shares add up to the report.
    const list = await listConversions(db, storeId, { from: RANGE.from, to: RANGE.to }, { pageSize: 500 });
    const tally = { purchases: 0, refunded: 0, cancelled: 0, signUps: 0 };
    const money = new Map<string, { revenue: number } & Record<string, number>>();
    const inCurrency = (currency: string) => {
      let m = money.get(currency);
      if (!m) {
        m = { revenue: 0, ...Object.fromEntries(COMMISSION_BUCKETS.map((k) => [k, 0])) } as never;
        money.set(currency, m!);
      }
      return m!;
    };
    for (const c of list.items) {
      if (c.counted === "purchase") tally.purchases++;
      else if (c.counted === "refunded") tally.refunded++;
      else if (c.counted === "cancelled") tally.cancelled++;
      else if (c.counted === "sign_up") tally.signUps++;
      for (const s of c.creators) {
        inCurrency(c.currency).revenue += s.revenue;
        const cm = s.commission;
        if (!cm) continue;
        const m = inCurrency(cm.currency);
        if (cm.status === "rejected" || cm.status === "over_budget") m[cm.status]! += cm.original;
        else if (cm.status !== "reversed") m[cm.status]! += cm.amount;
        m.reversed! += cm.reversed;
      }
    }
    expect(tally).toEqual({
      purchases: truth.totals.purchases,
      refunded: truth.totals.refunded,
      cancelled: truth.totals.cancelled,
      signUps: truth.totals.signUps,
    });
    for (const m of truth.totals.money) {
      expect(money.get(m.currency)).toEqual({ revenue: m.revenue, ...m.commissions });
    }

    // The API: a replay of 1008's report answers its commission as the list shows it, reversed part and all.
    const replay = await recordApiConversion(db, storeId, API_PURCHASE(apiClick), "k", T0);
    const listed = list.items.find((c) => c.orderNumber === null && c.orderExternalId === "1008")!;
    const cm = listed.creators[0]!.commission!;
    expect(replay.commissions).toEqual([
      expect.objectContaining({ status: cm.status, amount: cm.amount, original: cm.original, reversed: cm.reversed }),
    ]);
    expect(cm).toMatchObject({ amount: 300, original: 400, reversed: 100 });

    // The CSV of the same list: the same revenue and reversed amounts per currency, the same counts.
    const [header, ...lines] = conversionsCsvLines(list.items);
    expect(header).toBe(CSV_COLUMNS.join(","));
    const col = (line: string, name: (typeof CSV_COLUMNS)[number]) => line.split(",")[CSV_COLUMNS.indexOf(name)]!;
    for (const m of truth.totals.money) {
      const mine = lines.filter((l) => col(l, "currency") === m.currency);
      const sum = (name: (typeof CSV_COLUMNS)[number]) =>
        mine.reduce((s, l) => s + Math.round(Number(col(l, name) || "0") * 10 ** (m.currency === "JPY" ? 0 : 2)), 0);
      expect(sum("revenue")).toBe(m.revenue);
      expect(sum("commission_reversed")).toBe(m.commissions.reversed);
    }
    const once = new Map(lines.map((l) => [col(l, "conversion_id"), col(l, "counted_as")]));
    const csvCount = (k: string) => [...once.values()].filter((v) => v === k).length;
    expect([csvCount("purchase"), csvCount("refunded"), csvCount("cancelled"), csvCount("sign_up")]).toEqual([
      truth.totals.purchases,
      truth.totals.refunded,
      truth.totals.cancelled,
      truth.totals.signUps,
    ]);
  });

  it("the creator portal shows each creator what the admin shows: earnings by status, the earnings list, the chart", async () => {
    const { db } = database;
    const storeId = program.store.id;
    // The portal signs a creator in by email.
    for (const c of program.creators)
      await updateCreator(db, storeId, c.id, { name: c.name, email: `${c.name.toLowerCase()}@portal.example` });
    // The chart's window: the 30 UTC days up to T0's, which hold every conversion of the store.
    const now = new Date(T0.getTime() + DAY_MS);
    const toDay = Math.floor(now.getTime() / DAY_MS) + 1;
    const window = { from: new Date((toDay - 30) * DAY_MS), to: new Date(toDay * DAY_MS) };
    const all = await programMetrics(db, storeId, "USD");
    expect(all.rows.length).toBe(3);
    const statuses = ["pending", "approved", "paid", "reversed"] as const;
    for (const row of all.rows) {
      const creator = program.creators.find((c) => c.id === row.creatorId)!;
      const emailHash = hashEmail(`${creator.name.toLowerCase()}@portal.example`);
      const admin = new Map(
        row.money.map((m) => [m.currency, Object.fromEntries(statuses.map((k) => [k, m.commissions[k]]))]),
      );
      const zero = Object.fromEntries(statuses.map((k) => [k, 0]));
      const sameAs = (portal: Map<string, Record<string, number>>) => {
        for (const currency of new Set([...admin.keys(), ...portal.keys()]))
          expect(portal.get(currency) ?? zero, `${row.creatorName} ${currency}`).toEqual(admin.get(currency) ?? zero);
      };

      // The portal's overview: earnings per currency, pending, approved, paid and the reversed part.
      const overview = await portalOverview(db, emailHash, now);
      const store = overview.stores.find((s) => s.storeId === storeId)!;
      sameAs(new Map(store.earnings.map((e) => [e.currency, { ...e.amounts }])));

      // The portal's earnings list (its conversions page and CSV): each commission adds up to the same.
      const listed = new Map<string, Record<string, number>>();
      for (const r of await portalEarnings(db, emailHash)) {
        if (r.status === "rejected" || r.status === "over_budget") continue;
        const m = listed.get(r.currency) ?? { ...zero };
        if (r.status !== "reversed") m[r.status] = (m[r.status] ?? 0) + r.amount;
        m.reversed = (m.reversed ?? 0) + Math.max(0, r.original - r.amount);
        listed.set(r.currency, m);
      }
      sameAs(listed);

      // The portal's chart: qualified clicks, conversions (purchases and sign-ups) and earnings per day.
      const inWindow = await programMetrics(db, storeId, "USD", { ...window, creatorId: row.creatorId });
      const days = await creatorActivity(db, { storeId, creatorId: row.creatorId }, 30, now);
      const sum = (f: (d: (typeof days)[number]) => number) => days.reduce((s, d) => s + f(d), 0);
      expect(
        sum((d) => d.clicks),
        row.creatorName,
      ).toBe(inWindow.totals.qualifiedClicks);
      expect(
        sum((d) => d.conversions),
        row.creatorName,
      ).toBe(inWindow.totals.purchases + inWindow.totals.signUps);
      for (const m of inWindow.totals.money)
        expect(
          sum((d) => d.earnings[m.currency] ?? 0),
          `${row.creatorName} ${m.currency}`,
        ).toBe(m.commissions.pending + m.commissions.approved + m.commissions.paid);
    }
  });
});
