import { runCli } from "@trailmark/core/cli";
import { approveDueCommissions } from "@trailmark/core/conversions";
import type { Db } from "@trailmark/core/db";
import type { NormalizedOrderInput } from "@trailmark/core/orders";
import { ingestOrders } from "@trailmark/core/orders";
import { approvePayoutRun, createPayoutRun, markPayoutPaid, payoutRunCsv } from "@trailmark/core/payouts";
import { createMemoryMailer, createPortal } from "@trailmark/core/portal";
import { campaignReport } from "@trailmark/core/reports";
import {
  call,
  createDiscountCode,
  createTestDatabase,
  seedProgram,
  signIn,
  type TestDatabase,
} from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provideDatabase } from "../db.server.ts";
import * as overview from "../routes/admin._index.tsx";
import * as campaigns from "../routes/admin.campaigns._index.tsx";
import * as campaign from "../routes/admin.campaigns.$id.tsx";
import * as conversions from "../routes/admin.conversions._index.tsx";
import * as conversion from "../routes/admin.conversions.$id.tsx";
import * as conversionsExport from "../routes/admin.conversions.export.ts";
import * as creators from "../routes/admin.creators._index.tsx";
import * as creator from "../routes/admin.creators.$id.tsx";
import * as models from "../routes/admin.models.tsx";
import { get, ORIGIN, type Owner, signInOwner } from "./test-support.ts";

// SQLite binds at most 999 parameters per statement: a query that lists every conversion of a campaign in an
// IN (…) stopped working at 997 of them. A campaign with 2,400 conversions, through every place that reads
// them: the CLI report, each admin page, the CSV export, the creator portal and a payout run. 2,400 is enough:
// each of the two creators has 1,200, so a list of one creator's conversions is past 999 too, and every id list
// is queried in several of the 500-id slices (admin/sql.ts ID_CHUNK). It was 5,000, and seeding them through
// ingestOrders took most of the file's time.

const PER_CAMPAIGN = 2_400;
/** A page deep in the conversion list (25 a page): 72 of 96. */
const DEEP_PAGE = Math.floor((0.75 * PER_CAMPAIGN) / 25);
const DAY = 86_400_000;
const NOW = new Date("2026-06-30T12:00:00Z");

let database: TestDatabase;
let db: Db;
let program: Awaited<ReturnType<typeof seedProgram>>;
let owner: Owner;

beforeAll(async () => {
  process.env.SHOPIFY_APP_URL = ORIGIN;
  database = await createTestDatabase();
  db = database.db;
  provideDatabase(database);
  program = await seedProgram(db, {
    campaign: { holdingDays: 0 },
    creators: [
      { name: "Ada", email: "ada@example.com" },
      { name: "Ben", email: "ben@example.com" },
    ],
  });
  const storeId = program.store.id;
  for (const [i, c] of program.creators.entries()) {
    await createDiscountCode(db, storeId, { campaignId: program.campaign.id, creatorId: c.id, code: `CODE${i}` });
  }
  const orders: NormalizedOrderInput[] = Array.from({ length: PER_CAMPAIGN }, (_, i) => {
    const at = new Date(NOW.getTime() - 20 * DAY + i * 60_000);
    return {
      externalId: `big-${i}`,
      number: `#${10_000 + i}`,
      status: "confirmed",
      currency: "USD",
      total: 5_000,
      discountCodes: [`CODE${i % 2}`],
      placedAt: at,
      sourceUpdatedAt: at,
    };
  });
  for (let i = 0; i < orders.length; i += 500) {
    await ingestOrders(db, storeId, orders.slice(i, i + 500), { now: new Date(NOW.getTime() - 15 * DAY) });
  }
  await approveDueCommissions(db, NOW, storeId);
  owner = await signInOwner(db, storeId);
}, 600_000);

afterAll(async () => {
  await database.destroy();
});

describe(`a campaign with ${PER_CAMPAIGN} conversions`, () => {
  it("is reported by the CLI", async () => {
    expect(await db.conversion.count({ where: { storeId: program.store.id, status: "attributed" } })).toBe(
      PER_CAMPAIGN,
    );
    const report = await campaignReport(db, program.store.id, program.campaign.id);
    expect(report.totals.purchases).toBe(PER_CAMPAIGN);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["report", "--store", program.store.id, "--campaign", program.campaign.id, "--json"], {
      db,
      publicUrl: ORIGIN,
      out: (m) => out.push(m),
      err: (m) => err.push(m),
    });
    expect(err.join("\n")).toBe("");
    expect(code).toBe(0);
    expect((JSON.parse(out.join("\n")) as { totals: { purchases: number } }).totals.purchases).toBe(PER_CAMPAIGN);
  });

  it("shows on every admin page", async () => {
    const { store, campaign: c, creators: people } = program;
    const range = "?from=2026-06-01&to=2026-06-30";
    const first = await db.conversion.findFirstOrThrow({ where: { storeId: store.id } });
    const pages = [
      [overview.loader, `/admin${range}`, {}],
      [overview.loader, `/admin${range}&campaignId=${c.id}`, {}],
      [campaigns.loader, "/admin/campaigns", {}],
      [campaign.loader, `/admin/campaigns/${c.id}`, { id: c.id }],
      [creators.loader, "/admin/creators", {}],
      [creator.loader, `/admin/creators/${people[0]!.id}`, { id: people[0]!.id }],
      [conversions.loader, "/admin/conversions", {}],
      [conversions.loader, `/admin/conversions?campaignId=${c.id}&page=${DEEP_PAGE}`, {}],
      [conversion.loader, `/admin/conversions/${first.id}`, { id: first.id }],
      [models.loader, `/admin/models${range}`, {}],
      [models.loader, `/admin/models${range}&campaignId=${c.id}`, {}],
    ] as const;
    for (const [loader, path, params] of pages) {
      const { status, data } = await get(loader, path, { owner, params });
      expect(status, `${path}: ${JSON.stringify(data).slice(0, 300)}`).toBe(200);
    }
    const { data } = await get<{ list: { total: number } }>(conversions.loader, "/admin/conversions", { owner });
    expect(data.list.total).toBe(PER_CAMPAIGN);
  });

  it("exports every conversion as CSV", async () => {
    const { status, response } = await get(conversionsExport.loader, "/admin/conversions/export", { owner });
    expect(status).toBe(200);
    const lines = (await response!.text()).trimEnd().split("\r\n");
    expect(lines).toHaveLength(1 + PER_CAMPAIGN);
  });

  it("shows each creator's conversions in the portal", async () => {
    const mailer = createMemoryMailer();
    const portal = createPortal({ db, publicUrl: "https://go.example.com/", mailer, now: () => NOW });
    const { cookie } = await signIn(portal, mailer, "ada@example.com");
    for (const path of ["/portal", "/portal/payouts", "/portal/links", "/portal/earnings.csv"]) {
      const response = await call(portal, path, { headers: { cookie } });
      expect(response.status, path).toBe(200);
    }
    // Every one of Ada's conversions is listed (the list pages them; its header counts them all).
    const page = await (await call(portal, "/portal/conversions", { headers: { cookie } })).text();
    expect(page).toContain(`${(PER_CAMPAIGN / 2).toLocaleString("en-US")} conversions`);
  });

  it("pays every approved commission in one payout run", async () => {
    const run = await createPayoutRun(db, program.store.id, { now: NOW });
    // 10% of 50.00 each, to two creators.
    expect(run.totals).toEqual([{ currency: "USD", amount: PER_CAMPAIGN * 500, count: 2 }]);
    expect(await db.payoutItem.count({ where: { storeId: program.store.id } })).toBe(PER_CAMPAIGN);
    await approvePayoutRun(db, program.store.id, run.id);
    const csv = await payoutRunCsv(db, run.id, program.store.id);
    expect(csv).toContain("ada@example.com");
    for (const payout of run.payouts) {
      expect((await markPayoutPaid(db, program.store.id, payout.id, { reference: "bank", now: NOW })).status).toBe(
        "paid",
      );
    }
    expect(await db.commission.count({ where: { storeId: program.store.id, status: "paid" } })).toBe(PER_CAMPAIGN);
    const paid = await db.commission.aggregate({ where: { storeId: program.store.id }, _sum: { paidAmount: true } });
    expect(Number(paid._sum.paidAmount)).toBe(PER_CAMPAIGN * 500);
    // Settling is set-based: a few statements per payout, not one per commission (it took ~34 s).
  }, 60_000);
});
