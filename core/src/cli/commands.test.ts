import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../orders/ingest-order.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { insertClick } from "../testing/fixtures.ts";
import { parseCommission, runCli } from "./commands.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
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
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function json<T = Record<string, unknown>>(...argv: string[]): Promise<T> {
  const r = await cli(...argv, "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
}

describe("trailmark CLI", () => {
  it("sets up a program and prints a campaign report as a table and as JSON", async () => {
    const store = await json<{ id: string }>(
      "store",
      "create",
      "--platform",
      "custom",
      "--domain",
      "cli-shop.example.com",
    );
    const campaign = await json<{ id: string; budgetCap: number; commissionRules: unknown }>(
      "campaign",
      "create",
      "--store",
      store.id,
      "--name",
      "Launch",
      "--commission",
      "12.5%",
      "--budget",
      "300.00",
    );
    expect(campaign.budgetCap).toBe(30_000);
    expect(campaign.commissionRules).toEqual({ purchase: { type: "percentage", basisPoints: 1250 } });
    const creator = await json<{ id: string }>(
      "creator",
      "create",
      "--store",
      store.id,
      "--name",
      "Ada",
      "--email",
      "ada@example.com",
    );
    const link = await json<{
      id: string;
      code: string;
      trackingUrl: string;
      campaignId: string;
      creatorId: string;
      storeId: string;
    }>(
      "link",
      "create",
      "--store",
      store.id,
      "--campaign",
      campaign.id,
      "--creator",
      creator.id,
      "--destination",
      "https://cli-shop.example.com/p/1",
    );
    expect(link.trackingUrl).toBe(`https://t.example/c/${link.code}`);
    const click = await insertClick(database.db, link, new Date(Date.now() - 3600_000));
    await ingestOrder(database.db, store.id, {
      externalId: "cli-1",
      status: "confirmed",
      currency: "USD",
      total: 8000,
      clickIds: [click],
      placedAt: new Date(),
      sourceUpdatedAt: new Date(),
    });
    const table = await cli("report", "--store", store.id, "--campaign", campaign.id);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/Ada\s+1\s+1\s+0\s+1\s+0\s+0\s+100\.0%\s+USD\s+80\.00\s+10\.00/);
    const report = await json<{
      totals: { purchases: number; money: { currency: string; revenue: unknown; commissions: { pending: unknown } }[] };
    }>("report", "--store", store.id, "--campaign", campaign.id);
    expect(report.totals).toMatchObject({
      purchases: 1,
      money: [
        {
          currency: "USD",
          revenue: { amount: "80.00", currency: "USD" },
          commissions: { pending: { amount: "10.00", currency: "USD" } },
        },
      ],
    });
    const owner = await cli(
      "owner",
      "create",
      "--store",
      store.id,
      "--email",
      "Owner@Example.com",
      "--password",
      "a long enough passphrase",
    );
    expect(owner.code).toBe(0);
    expect(owner.out).toMatch(/owner@example.com can sign in at https:\/\/t.example\/admin/);
    const list = await cli("link", "list", "--store", store.id);
    expect(list.out).toContain(`https://t.example/c/${link.code}`);
  });

  it("explains bad arguments and exits non-zero", async () => {
    const missing = await cli("campaign", "create", "--name", "x");
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing --store/);
    const unknown = await cli("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command "frobnicate"/);
    const badFlag = await cli("store", "list", "--nope");
    expect(badFlag.code).toBe(2);
    const store = await json<{ id: string }>(
      "store",
      "create",
      "--platform",
      "custom",
      "--domain",
      "bad-args.example.com",
    );
    const flat = await cli("campaign", "create", "--store", store.id, "--name", "Flat", "--commission", "10");
    expect(flat.code).toBe(0);
    expect(flat.out).toMatch(/^created campaign cp_[\w-]+ "Flat": flat 10\.00 USD per purchase \(last_click/);
    const list = await cli("campaign", "list", "--store", store.id);
    expect(list.out).toMatch(/Flat\s+active\s+flat 10\.00 USD per purchase\s+last_click/);
    const lookback = await cli("campaign", "create", "--store", store.id, "--name", "Long", "--lookback", "120");
    expect(lookback.code).toBe(1);
    expect(lookback.err).toMatch(/lookbackDays/);
    const notFound = await cli("campaign", "list", "--store", "st_missing");
    expect(notFound.code).toBe(0);
    const noStore = await cli("creator", "create", "--store", "st_missing", "--name", "X");
    expect(noStore.code).not.toBe(0);
    const offDomain = await cli(
      "link",
      "create",
      "--store",
      store.id,
      "--campaign",
      "cp_x",
      "--creator",
      "cr_x",
      "--destination",
      "https://evil.example.net/",
    );
    expect(offDomain.code).toBe(1);
  });

  it("sets a campaign's commission rules from flags, prints them in plain words, and explains bad ones", async () => {
    const store = await json<{ id: string }>(
      "store",
      "create",
      "--platform",
      "custom",
      "--domain",
      "rules.example.com",
    );
    const campaign = await json<{ id: string }>(
      "campaign",
      "create",
      "--store",
      store.id,
      "--name",
      "Rules",
      "--commission",
      "10%",
    );
    const set = await cli(
      "campaign",
      "rules",
      "--store",
      store.id,
      "--campaign",
      campaign.id,
      "--rate",
      "product:632910392=15%",
      "--rate",
      "collection:socks=1.50/unit",
      "--rate",
      "variant:gift-wrap=excluded",
      "--tier",
      "1000.00=15%",
      "--tier",
      "5000.00=20%",
      "--bonus",
      "ten-sales:conversions:10@month=50.00",
    );
    expect(set.err).toBe("");
    expect(set.out.split("\n")).toEqual([
      expect.stringMatching(/^For each item of an order the most specific rule applies/),
      "Product 632910392: 15% of the item's price after discounts, without tax.",
      "Collection or category socks: 1.50 USD per unit sold.",
      "Variant gift-wrap: never earns a commission.",
      expect.stringMatching(
        /^A creator earns the campaign's rate \(10%\) until .* then 15% from 1000\.00 USD of sales \(tier 1\), then 20% from 5000\.00 USD of sales \(tier 2\)\./,
      ),
      "ten-sales: a one-time 50.00 USD when a creator reaches 10 conversions in a calendar month, paid once a month at most, through the usual payouts.",
    ]);
    const shown = await json<{ tiers: { steps: unknown[] }; bonuses: unknown[] }>(
      "campaign",
      "rules",
      "--store",
      store.id,
      "--campaign",
      campaign.id,
    );
    expect(shown.tiers.steps).toHaveLength(2);
    const bad = await cli("campaign", "rules", "--store", store.id, "--campaign", campaign.id, "--rate", "brand:x=5%");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--rate must look like product:123=15%/);
    const down = await cli(
      "campaign",
      "rules",
      "--store",
      store.id,
      "--campaign",
      campaign.id,
      "--tier",
      "500=10%",
      "--tier",
      "100=20%",
    );
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/tier thresholds must go up/);
    const cleared = await cli("campaign", "rules", "--store", store.id, "--campaign", campaign.id, "--clear");
    expect(cleared.out).toBe("no commission rules: every purchase earns the campaign's rate");
  });

  it("reads commissions as percentages or flat amounts in the currency", () => {
    expect(parseCommission("10%", "USD")).toEqual({ type: "percentage", basisPoints: 1000 });
    expect(parseCommission("5.00", "USD")).toEqual({ type: "flat", amount: 500 });
    expect(parseCommission("500", "JPY")).toEqual({ type: "flat", amount: 500 });
    expect(() => parseCommission("150%", "USD")).toThrow(/over 100%/);
    expect(() => parseCommission("lots", "USD")).toThrow(/10% or 5.00/);
  });

  it("runs as the installed trailmark command", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ["core/bin/trailmark.js", "--help"], {
      env: { ...process.env, DATABASE_URL: inject("templateDatabase") },
    });
    expect(stdout).toMatch(/trailmark <command>/);
  });
});

import { inject } from "vitest";
