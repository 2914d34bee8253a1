import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type AdminProgram, createOwner, seedAdminProgram } from "@trailmark/core/admin";
import { approveDueCommissions } from "@trailmark/core/conversions";
import type { Db } from "@trailmark/core/db";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createTestDatabase, launchChromium, localPage, type TestDatabase } from "@trailmark/core/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A merchant pays creators from the standalone admin in headless Chromium, with no CLI: sign in, open
// Payouts, preview "Pay now", confirm, download the run's CSV, mark the payouts paid. Screenshots of the page
// at desktop width and at 390 px go to test-artifacts/payouts/.

const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts/payouts");
const EMAIL = "owner@payouts-shop.example.com";
const PASSWORD = "payouts owner passphrase";

let database: TestDatabase;
let db: Db;
let server: RunningServer;
let browser: Browser;
let page: Page;
let program: AdminProgram;
const pageErrors: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  program = await seedAdminProgram(db);
  // The seeded orders are past their holding period: approve them, and pay balances from 1.00.
  await approveDueCommissions(db, new Date(), program.store.id);
  await db.store.update({ where: { id: program.store.id }, data: { minimumPayout: 100 } });
  await createOwner(db, program.store.id, EMAIL, PASSWORD);
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
  process.env.PUBLIC_URL = server.url;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await localPage(context, pageErrors);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.destroy();
  delete process.env.PUBLIC_URL;
});

async function hydrated() {
  await page.waitForFunction(() => (window as unknown as { __remixContext?: unknown }).__remixContext !== undefined);
  await page.waitForLoadState("networkidle");
}

describe("the Payouts page of the standalone admin in Chromium", () => {
  it("previews and runs a manual payout, downloads its CSV and marks it paid", async () => {
    const storeId = program.store.id;
    await page.goto(`${server.url}/admin/payouts`);
    await page.waitForURL(/\/admin\/login/);
    await hydrated();
    await page.getByLabel("Email", { exact: true }).fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/admin/payouts`);
    await hydrated();
    await expect.poll(() => page.title()).toBe("Payouts · Trailmark");
    await expect.poll(() => page.getByRole("link", { name: "Payouts" }).count()).toBeGreaterThan(0);

    // What the preview must show is what core would plan: every approved commission, per creator.
    const approved = await db.commission.groupBy({
      by: ["creatorId", "currency"],
      where: { storeId, status: "approved" },
      _sum: { amount: true },
    });
    expect(approved.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, "payouts-desktop.png"), fullPage: true });

    await page.getByRole("button", { name: "Pay now" }).click();
    const preview = page.getByTestId("payout-preview");
    await preview.waitFor();
    const previewText = (await preview.textContent()) ?? "";
    for (const g of approved) {
      const creator = program.creators.find((c) => c.id === g.creatorId)!;
      expect(previewText).toContain(creator.name);
      expect(previewText).toContain(`$${(Number(g._sum.amount) / 100).toFixed(2)}`);
    }
    expect(previewText).toContain("Manual (CSV)");
    expect(await db.payoutRun.count({ where: { storeId } })).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "payouts-preview-desktop.png"), fullPage: true });

    await page.getByRole("button", { name: "Confirm and pay" }).click();
    await page.getByText(/Run pr_\w+ started/).waitFor();
    const run = await db.payoutRun.findFirstOrThrow({ where: { storeId } });
    const payouts = await db.payout.findMany({ where: { storeId, runId: run.id }, orderBy: { creatorId: "asc" } });
    expect(payouts.map((p) => p.status)).toEqual(payouts.map(() => "processing"));
    expect(payouts.map((p) => [p.creatorId, Number(p.amount)]).sort()).toEqual(
      approved.map((g) => [g.creatorId, Number(g._sum.amount)]).sort(),
    );

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    const csv = readFileSync((await download.path())!, "utf8")
      .trimEnd()
      .split("\r\n");
    expect(csv[0]).toMatch(/^payout_id,run_id,creator_id,creator_name,creator_email/);
    expect(csv).toHaveLength(payouts.length + 1);
    for (const p of payouts) {
      const line = csv.find((l) => l.startsWith(`${p.id},${run.id},${p.creatorId},`));
      expect(line, p.id).toBeDefined();
      expect(line).toContain((Number(p.amount) / 100).toFixed(2));
      expect(line).toContain("USD");
    }

    // The first one on its own, with a reference; the others in bulk.
    await page.getByLabel("Reference for payouts marked paid").fill("SEPA-2026-12");
    await page.getByRole("button", { name: "Mark paid" }).first().click();
    await page.getByText("1 payout(s) marked paid.").waitFor();
    await hydrated();
    const rest = await db.payout.findMany({ where: { storeId, runId: run.id, status: "processing" } });
    expect(rest.length).toBe(payouts.length - 1);
    if (rest.length > 0) {
      for (const p of rest) await page.getByLabel(`Select payout ${p.id}`).check();
      await page.getByRole("button", { name: "Mark selected paid" }).click();
      // The banner may read as the one before: wait for the payouts themselves.
      await expect
        .poll(() => db.payout.count({ where: { storeId, runId: run.id, status: "processing" } }), { timeout: 30_000 })
        .toBe(0);
      await page.getByText(`${rest.length} payout(s) marked paid.`).waitFor();
      await page.waitForLoadState("networkidle");
    }
    const after = await db.payout.findMany({ where: { storeId, runId: run.id } });
    expect(after.map((p) => p.status)).toEqual(after.map(() => "paid"));
    expect(after.some((p) => p.providerReference === "SEPA-2026-12")).toBe(true);
    expect((await db.payoutRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("completed");
    expect(await db.commission.count({ where: { storeId, status: "approved" } })).toBe(0);
    const paid = await db.commission.findMany({ where: { storeId, status: "paid" } });
    expect(paid.length).toBeGreaterThan(0);
    for (const c of paid) expect(c.paidAmount).toBe(c.amount);

    // The history links each settled commission to its conversion's journey.
    await page.locator("summary").first().click();
    const journey = page.getByRole("link", { name: /journey/ }).first();
    expect(await journey.getAttribute("href")).toMatch(/^\/admin\/conversions\/\w+/);
    await page.screenshot({ path: join(ARTIFACTS, "payouts-paid-desktop.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, "payouts-390.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // The creators list and each creator's page say what was paid and how.
    await page.goto(`${server.url}/admin/creators`);
    await hydrated();
    const list = (await page.locator("table").first().textContent()) ?? "";
    for (const p of after) expect(list).toContain(`$${(Number(p.amount) / 100).toFixed(2)} paid`);
    expect(list).toContain("Manual (CSV)");
    await page.goto(`${server.url}/admin/creators/${after[0]!.creatorId}`);
    await hydrated();
    await page.getByText(`$${(Number(after[0]!.amount) / 100).toFixed(2)} paid`).waitFor();
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
