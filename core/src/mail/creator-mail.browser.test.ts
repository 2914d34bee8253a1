// A creator's mail in a real Chromium: the worker sends it through a real SMTP server on loopback, the creator
// opens its unsubscribe link (no sign-in), confirms on the page, and later turns the mails back on from the
// portal's Settings; the worker honours both. Screenshots go to test-artifacts/mail-*.png.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AFTER_HOLD, seedApproved } from "../payouts/testing/seed.ts";
import { createPortal, type Portal } from "../portal/index.ts";
import { createMemoryMailer, createSmtpMailer } from "../portal/mailer.ts";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { launchChromium } from "../testing/chromium.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { mailText, startTestSmtpServer, type TestSmtpServer } from "../testing/smtp-server.ts";
import { sendDueCreatorMails } from "./worker.ts";

const ARTIFACTS = resolve(import.meta.dirname, "../../../test-artifacts");

let database: TestDatabase;
let server: RunningServer;
let browser: Browser;
let portal: Portal;
let smtp: TestSmtpServer;
const signInMailer = createMemoryMailer();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  database = await createTestDatabase();
  smtp = await startTestSmtpServer();
  server = await serveFetch(
    (request, ctx) => portal.route(request, ctx) ?? Promise.resolve(new Response("not found", { status: 404 })),
    { port: 0, host: "127.0.0.1" },
  );
  portal = createPortal({ db: database.db, publicUrl: server.url, mailer: signInMailer });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
  await database?.destroy();
});

describe("a creator's mails in the browser", () => {
  it("unsubscribes from one kind by the mail's link and turns it back on in Settings", {
    timeout: 120_000,
  }, async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Ada", email: "ada@example.com", orders: [30_000] }]);
    const storeId = program.store.id;
    await db.store.update({ where: { id: storeId }, data: { name: "Atelier Nord" } });
    const mailer = createSmtpMailer(smtp.url(), "Trailmark <no-reply@trailmark.example.com>");
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      await sendDueCreatorMails({ db, mailer, publicUrl: server.url, now: () => AFTER_HOLD });
      const received = [await smtp.nextMail(), await smtp.nextMail()].map((m) => mailText(m.raw));
      const approved = received.find((text) => text.includes("is approved"))!;
      const link = /To stop emails like this one from Atelier Nord: (\S+)/.exec(approved)![1]!;
      expect(link.startsWith(`${server.url}/portal/unsubscribe?token=`)).toBe(true);

      const page = await context.newPage();
      await page.goto(link);
      await expect
        .poll(() => page.locator(".card p").first().textContent())
        .toBe('Stop emails about "A commission approved" from Atelier Nord?');
      // Opening the link changed nothing: only the button does.
      expect(await db.creatorMailSetting.count({ where: { storeId } })).toBe(0);
      await page.screenshot({ path: resolve(ARTIFACTS, "mail-unsubscribe.png") });
      await page.getByRole("button", { name: "Stop these emails" }).click();
      await expect
        .poll(() => page.locator("#unsubscribed").textContent())
        .toContain("Atelier Nord will no longer email you about");
      expect(JSON.parse((await db.creatorMailSetting.findFirstOrThrow({ where: { storeId } })).off)).toEqual([
        "commission_approved",
      ]);

      // Signed in, Settings shows the kind off; ticking it and saving turns it back on.
      await page.goto(`${server.url}/portal/sign-in`);
      await page.getByLabel("Email").fill("ada@example.com");
      await page.getByRole("button", { name: "Send me a sign-in link" }).click();
      await expect.poll(() => page.locator("h1").textContent()).toBe("Check your email");
      await page.goto(signInMailer.sent[0]!.url);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${server.url}/portal`);
      await page.getByRole("link", { name: "Settings" }).click();
      const form = page.locator(`form[data-store="${storeId}"]`);
      const box = form.getByLabel("A commission approved");
      expect(await box.isChecked()).toBe(false);
      expect(await form.getByLabel("A commission earned (or the day's digest)").isChecked()).toBe(true);
      await page.screenshot({ path: resolve(ARTIFACTS, "mail-settings.png"), fullPage: true });
      await box.check();
      await form.getByRole("button", { name: "Save notifications" }).click();
      await expect.poll(() => page.locator("p.note[role=status]").textContent()).toBe("Saved.");
      expect(await page.locator(`form[data-store="${storeId}"]`).getByLabel("A commission approved").isChecked()).toBe(
        true,
      );
      expect(JSON.parse((await db.creatorMailSetting.findFirstOrThrow({ where: { storeId } })).off)).toEqual([]);
    } finally {
      mailer.close();
      await context.close();
    }
  });
});
