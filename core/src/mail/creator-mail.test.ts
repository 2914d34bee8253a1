// The creator mail outbox end to end on the real database: the ledger's events enqueue one mail each in their
// own transaction (replays and concurrent deliveries nothing more), the worker sends them through a real SMTP
// server on loopback with both parts, the store's name as sender and a working unsubscribe link, retries a
// refused mail, skips an unsubscribed kind, and folds a busy day into one digest.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { approveDueCommissions } from "../conversions/approve-due.ts";
import type { Db } from "../db/client.ts";
import { ingestOrder } from "../orders/ingest-order.ts";
import { ManualPayoutProvider } from "../payouts/manual-provider.ts";
import { payNow, previewPayoutRun } from "../payouts/payout-admin.ts";
import { markPayoutPaid } from "../payouts/payout-sending.ts";
import { updatePayoutSettings } from "../payouts/payout-settings.ts";
import { AFTER_HOLD, refundOrder, seedApproved, T0 } from "../payouts/testing/seed.ts";
import { createPortal } from "../portal/index.ts";
import { createMemoryMailer, createSmtpMailer } from "../portal/mailer.ts";
import { call, form, signIn } from "../portal/portal-test-kit.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY, insertClick } from "../testing/fixtures.ts";
import { mailText, startTestSmtpServer, type TestSmtpServer } from "../testing/smtp-server.ts";
import { enqueueCreatorMail } from "./outbox.ts";
import { sendDueCreatorMails } from "./worker.ts";

let database: TestDatabase;
let smtp: TestSmtpServer;
// The worker sends every store's mails: each test gets a database of its own.
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.destroy();
});
beforeAll(async () => {
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

const PUBLIC_URL = "https://trailmark.example.com";

async function mails(db: Db, storeId: string) {
  const rows = await db.creatorMail.findMany({ where: { storeId }, orderBy: [{ createdAt: "asc" }, { kind: "asc" }] });
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
}

function header(raw: string, name: string): string | undefined {
  const unfolded = raw.slice(0, raw.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ");
  return new RegExp(`^${name}: (.*)$`, "im").exec(unfolded)?.[1];
}

describe("the outbox", () => {
  it("holds one mail per commission event, written with the event, and a replay adds none", async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Ada", email: "ada@example.com", orders: [60_000] }]);
    const storeId = program.store.id;
    const ada = program.creators[0]!;
    let rows = await mails(db, storeId);
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ["commission_pending", "queued"],
      ["commission_approved", "queued"],
    ]);
    const commission = await db.commission.findFirstOrThrow({ where: { storeId } });
    expect(rows[0]).toMatchObject({
      creatorId: ada.id,
      dedupKey: `commission_pending:${commission.conversionId}:${commission.campaignId}:${ada.id}`,
      data: {
        commissionId: commission.id,
        amount: 6_000,
        currency: "USD",
        orderTotal: 60_000,
        orderCurrency: "USD",
        holdUntil: new Date(T0.getTime() + 30 * DAY).toISOString(),
      },
    });
    expect(rows[1]!.data).toEqual({ commissionId: commission.id, amount: 6_000, currency: "USD" });

    // The same order delivered again and the sweep run again change nothing, so they enqueue nothing.
    const order = program.orders[0]!;
    await ingestOrder(
      db,
      storeId,
      {
        externalId: order.externalId,
        status: "confirmed",
        currency: "USD",
        total: 60_000,
        placedAt: T0,
        sourceUpdatedAt: T0,
      },
      { now: AFTER_HOLD },
    );
    await approveDueCommissions(db, AFTER_HOLD, storeId);
    expect(await mails(db, storeId)).toHaveLength(2);

    // A partial refund reduces it: one mail with the old and new amounts; the same refund replayed adds none.
    const refundAt = new Date(AFTER_HOLD.getTime() + DAY);
    await refundOrder(db, storeId, order.externalId, 10_000, refundAt);
    await refundOrder(db, storeId, order.externalId, 10_000, refundAt);
    rows = await mails(db, storeId);
    expect(rows.filter((r) => r.kind === "commission_reversed").map((r) => r.data)).toEqual([
      { commissionId: commission.id, amount: 5_000, previous: 6_000, currency: "USD" },
    ]);

    // The mail gives the reason in the portal's words.
    const memory = createMemoryMailer();
    await sendDueCreatorMails({ db, mailer: memory, publicUrl: PUBLIC_URL, now: () => refundAt });
    const reduced = memory.messages.find((m) => m.subject.includes("was reduced"))!;
    expect(reduced.text).toContain("Your commission of 60.00 USD is now 50.00 USD.");
    expect(reduced.text).toContain(
      "100.00 USD of 600.00 USD returned, so your commission went from 60.00 USD to 50.00 USD.",
    );

    // Paid: one mail per payout, with the reference the merchant gave.
    const payAt = new Date(refundAt.getTime() + DAY);
    const deps = { providers: { manual: new ManualPayoutProvider() }, now: () => payAt };
    const preview = await previewPayoutRun(db, storeId, payAt);
    const run = await payNow(db, storeId, preview.fingerprint, deps);
    const payoutId = run.payouts[0]!.id;
    await markPayoutPaid(db, storeId, payoutId, { reference: "BANK-2026-0042", now: payAt });
    rows = await mails(db, storeId);
    expect(rows.filter((r) => r.kind === "commission_paid")).toEqual([
      expect.objectContaining({
        dedupKey: `commission_paid:${payoutId}`,
        data: { payoutId, amount: 5_000, currency: "USD", reference: "BANK-2026-0042" },
      }),
    ]);
  });

  it("reminds a creator with money waiting and no way to be paid, at most once a week", async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Ada", email: "ada@example.com", orders: [] }]);
    const storeId = program.store.id;
    // The store pays creators without a method of their own through PayPal: Ada has no PayPal address.
    await updatePayoutSettings(db, storeId, { provider: "paypal" });
    const order = async (n: number, at: Date) => {
      const click = await insertClick(db, program.links[0]!, new Date(at.getTime() - DAY));
      await ingestOrder(
        db,
        storeId,
        {
          externalId: `r-${n}`,
          status: "confirmed",
          currency: "USD",
          total: 20_000,
          clickIds: [click],
          placedAt: at,
          sourceUpdatedAt: at,
        },
        { now: at },
      );
    };
    // 20.00 approved is below the 25.00 minimum: no reminder; 40.00 is above it: one.
    await order(1, T0);
    await approveDueCommissions(db, AFTER_HOLD, storeId);
    expect((await mails(db, storeId)).filter((r) => r.kind === "payout_method_missing")).toEqual([]);
    await order(2, new Date(T0.getTime() + DAY));
    await approveDueCommissions(db, new Date(AFTER_HOLD.getTime() + DAY), storeId);
    // A third approval two days later: still within the week, no second reminder.
    await order(3, new Date(T0.getTime() + 3 * DAY));
    await approveDueCommissions(db, new Date(AFTER_HOLD.getTime() + 3 * DAY), storeId);
    let reminders = (await mails(db, storeId)).filter((r) => r.kind === "payout_method_missing");
    expect(reminders.map((r) => r.data)).toEqual([{ amount: 4_000, currency: "USD", minimum: 2_500 }]);
    // Eight days later, money still waiting: a new one.
    await order(4, new Date(T0.getTime() + 9 * DAY));
    await approveDueCommissions(db, new Date(AFTER_HOLD.getTime() + 9 * DAY), storeId);
    reminders = (await mails(db, storeId)).filter((r) => r.kind === "payout_method_missing");
    expect(reminders.map((r) => r.data.amount)).toEqual([4_000, 8_000]);
  });
});

describe("the worker", () => {
  it("sends each mail once over SMTP: both parts, the store as sender, the Message-ID of its outbox row", async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Ada", email: "ada@example.com", orders: [30_000] }]);
    const storeId = program.store.id;
    await db.store.update({ where: { id: storeId }, data: { name: "Atelier Nord" } });
    const mailer = createSmtpMailer(smtp.url(), "Trailmark <no-reply@trailmark.example.com>");
    try {
      const result = await sendDueCreatorMails({ db, mailer, publicUrl: PUBLIC_URL, now: () => AFTER_HOLD });
      expect(result).toMatchObject({ sent: 2, skipped: 0, retried: 0 });
      const received = [await smtp.nextMail(), await smtp.nextMail()];
      expect(smtp.pending).toHaveLength(0);
      const rows = await mails(db, storeId);
      expect(rows.map((r) => r.status)).toEqual(["sent", "sent"]);
      const pending = received.find((m) => /earned/.test(header(m.raw, "Subject") ?? ""))!;
      expect(pending.to).toEqual(["ada@example.com"]);
      expect(header(pending.raw, "From")).toBe("Atelier Nord <no-reply@trailmark.example.com>");
      expect(header(pending.raw, "Subject")).toBe("You earned 30.00 USD with Atelier Nord");
      expect(header(pending.raw, "Message-ID")).toBe(`<${rows[0]!.id}@trailmark.example.com>`);
      expect(pending.raw).toMatch(/Content-Type: multipart\/alternative/);
      const text = mailText(pending.raw);
      expect(text).toContain("An order of 300.00 USD earned you a commission of 30.00 USD.");
      expect(text).toContain(
        `pending until ${new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(T0.getTime() + 30 * DAY))}`,
      );
      expect(text).toContain('<a href=3D"https://trailmark.example.com/portal/unsubscribe?token='.replace("=3D", "="));
      const unsubscribe = header(pending.raw, "List-Unsubscribe");
      expect(unsubscribe).toMatch(/^<https:\/\/trailmark\.example\.com\/portal\/unsubscribe\?token=.+>$/);
      expect(header(pending.raw, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
      // A second run finds nothing due.
      expect(await sendDueCreatorMails({ db, mailer, publicUrl: PUBLIC_URL, now: () => AFTER_HOLD })).toMatchObject({
        sent: 0,
      });
      await expect(smtp.nextMail(300)).rejects.toThrow(/no mail arrived/);
    } finally {
      mailer.close();
    }
  });

  it("retries a refused mail with a backoff and gives up after the last attempt", async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Ada", email: "ada@example.com", orders: [] }]);
    const storeId = program.store.id;
    const ada = program.creators[0]!;
    await enqueueCreatorMail(db, {
      storeId,
      creatorId: ada.id,
      kind: "application_rejected",
      data: { reason: "Audience outside our markets" },
      dedupKey: "application_rejected:ap_1",
    });
    const wrong = createSmtpMailer(smtp.url("trailmark", "wrong"), "Trailmark <no-reply@example.com>");
    let at = new Date();
    try {
      const first = await sendDueCreatorMails({
        db,
        mailer: wrong,
        publicUrl: PUBLIC_URL,
        now: () => at,
        maxAttempts: 2,
      });
      expect(first).toMatchObject({ sent: 0, retried: 1 });
      let row = await db.creatorMail.findFirstOrThrow({ where: { storeId } });
      expect(row).toMatchObject({ status: "queued", attempts: 1 });
      expect(row.dueAt.getTime()).toBe(at.getTime() + 60_000);
      expect(row.lastError).toMatch(/auth|credentials|invalid/i);
      // Not due yet: nothing happens; once due, the last attempt fails for good.
      expect(
        await sendDueCreatorMails({ db, mailer: wrong, publicUrl: PUBLIC_URL, now: () => at, maxAttempts: 2 }),
      ).toMatchObject({ retried: 0, failed: 0 });
      at = new Date(at.getTime() + 60_000);
      expect(
        await sendDueCreatorMails({ db, mailer: wrong, publicUrl: PUBLIC_URL, now: () => at, maxAttempts: 2 }),
      ).toMatchObject({ failed: 1 });
      row = await db.creatorMail.findFirstOrThrow({ where: { storeId } });
      expect(row).toMatchObject({ status: "failed", attempts: 2 });
    } finally {
      wrong.close();
    }
    expect(smtp.pending).toHaveLength(0);
  });

  it("honours an unsubscribe link (no sign-in), and the settings page turns the kind back on", async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Ada", email: "ada@example.com", orders: [30_000] }]);
    const storeId = program.store.id;
    const memory = createMemoryMailer();
    await sendDueCreatorMails({ db, mailer: memory, publicUrl: PUBLIC_URL, now: () => AFTER_HOLD });
    const approved = memory.messages.find((m) => /approved/.test(m.subject))!;
    expect(approved.text).toContain(`To stop emails like this one from ${program.store.name}: `);
    const link = /https:\/\/trailmark\.example\.com(\/portal\/unsubscribe\?token=\S+)/.exec(approved.text)![1]!;
    expect(approved.html).toContain(`href="${PUBLIC_URL}${link.replaceAll("&", "&amp;")}"`);
    const portal = createPortal({ db, publicUrl: PUBLIC_URL, mailer: memory });
    const get = (path: string, init?: RequestInit) => call(portal, path, init);

    // The link itself only asks (mail scanners follow links); the button's POST unsubscribes.
    const asking = await get(link);
    expect(asking.status).toBe(200);
    expect(await asking.text()).toContain("Stop emails about &quot;A commission approved&quot;");
    expect((await db.creatorMailSetting.findMany({ where: { storeId } })).length).toBe(0);
    const token = new URL(`${PUBLIC_URL}${link}`).searchParams.get("token")!;
    const done = await get("/portal/unsubscribe", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("will no longer email you");
    // One-click (RFC 8058): the token in the URL, the fixed body.
    const oneClick = await get(link, { method: "POST", body: "List-Unsubscribe=One-Click" });
    expect(oneClick.status).toBe(200);

    // A forged or edited token is refused with a clear 400.
    const [s, c, , sig] = token.split(".");
    for (const bad of [`${s}.${c}.commission_pending.${sig}`, `${s}.${c}.commission_approved.AAAA`, "nonsense"]) {
      const res = await get(`/portal/unsubscribe?token=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("This unsubscribe link is not valid.");
    }
    const setting = await db.creatorMailSetting.findFirstOrThrow({ where: { storeId } });
    expect(JSON.parse(setting.off)).toEqual(["commission_approved"]);

    // The worker honours it: the next approval is skipped, a payout-related mail still goes.
    await ingestAndApprove(db, program, 2, new Date(T0.getTime() + 2 * DAY));
    memory.messages.length = 0;
    const later = new Date(AFTER_HOLD.getTime() + 5 * DAY);
    const result = await sendDueCreatorMails({ db, mailer: memory, publicUrl: PUBLIC_URL, now: () => later });
    expect(memory.messages.map((m) => m.subject)).toEqual([`You earned 30.00 USD with ${program.store.name}`]);
    expect(result).toMatchObject({ sent: 1, skipped: 1 });
    const skipped = await db.creatorMail.findFirstOrThrow({ where: { storeId, status: "skipped" } });
    expect(skipped).toMatchObject({ kind: "commission_approved", lastError: "unsubscribed from commission_approved" });

    // Signed in, the Settings page shows the choice per store and turns it back on; the language chosen there
    // is the mails' language.
    const { cookie, csrf } = await signIn(portal, memory, "ada@example.com");
    const settings = await (await call(portal, "/portal/settings", { headers: { cookie } })).text();
    expect(settings).toContain('name="kind" value="commission_pending" checked');
    expect(settings).toMatch(/name="kind" value="commission_approved">/);
    const saved = await call(portal, "/portal/settings/notifications", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: `csrf=${csrf}&creatorId=${program.creators[0]!.id}&kind=commission_pending&kind=commission_approved&kind=commission_reversed`,
    });
    expect(saved.status).toBe(303);
    expect(JSON.parse((await db.creatorMailSetting.findFirstOrThrow({ where: { storeId } })).off)).toEqual([]);
    await call(portal, "/portal/settings/language", form({ csrf, locale: "fr" }, cookie));
    await ingestAndApprove(db, program, 3, new Date(T0.getTime() + 3 * DAY));
    memory.messages.length = 0;
    await sendDueCreatorMails({
      db,
      mailer: memory,
      publicUrl: PUBLIC_URL,
      now: () => new Date(later.getTime() + DAY),
    });
    expect(memory.messages.map((m) => m.subject).sort()).toEqual([
      "Votre commission de 30,00 USD est approuvée",
      `Vous avez gagné 30,00 USD avec ${program.store.name}`,
    ]);
    expect(memory.messages[0]!.text).toContain("Bonjour Ada,");
  });

  it("folds a creator's commissions past the store's daily limit into one digest at the end of the day", async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Ada", email: "ada@example.com", orders: [] }]);
    const storeId = program.store.id;
    await db.store.update({ where: { id: storeId }, data: { mailDigestAfter: 2 } });
    const day = new Date("2026-11-10T09:00:00.000Z");
    for (let n = 1; n <= 5; n++) await ingestOnly(db, program, n, new Date(day.getTime() + n * 60_000), 1_000 * n);
    const rows = await mails(db, storeId);
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ["commission_pending", "queued"],
      ["commission_pending", "queued"],
      ["commission_digest", "queued"],
      ["commission_pending", "digest"],
      ["commission_pending", "digest"],
      ["commission_pending", "digest"],
    ]);
    const memory = createMemoryMailer();
    const noon = new Date("2026-11-10T12:00:00.000Z");
    await sendDueCreatorMails({ db, mailer: memory, publicUrl: PUBLIC_URL, now: () => noon });
    expect(memory.messages).toHaveLength(2);
    const midnight = new Date("2026-11-11T00:00:00.000Z");
    await sendDueCreatorMails({ db, mailer: memory, publicUrl: PUBLIC_URL, now: () => midnight });
    expect(memory.messages).toHaveLength(3);
    const digest = memory.messages[2]!;
    expect(digest.subject).toBe(`3 commissions earned with ${program.store.name} on 10 Nov 2026`);
    expect(digest.text).toContain("You earned 3 more commissions on 10 Nov 2026, 12.00 USD in all:");
    expect(digest.text).toContain("- 3.00 USD on an order of 30.00 USD");
    expect(digest.text).toContain("- 5.00 USD on an order of 50.00 USD");
    expect((await mails(db, storeId)).map((r) => r.status).sort()).toEqual(
      ["digested", "digested", "digested", "sent", "sent", "sent"].sort(),
    );
  });
});

async function ingestOnly(
  db: Db,
  program: Awaited<ReturnType<typeof seedApproved>>,
  n: number,
  at: Date,
  total = 30_000,
) {
  const click = await insertClick(db, program.links[0]!, new Date(at.getTime() - DAY));
  await ingestOrder(
    db,
    program.store.id,
    {
      externalId: `x-${n}`,
      status: "confirmed",
      currency: "USD",
      total,
      clickIds: [click],
      placedAt: at,
      sourceUpdatedAt: at,
    },
    { now: at },
  );
}

async function ingestAndApprove(db: Db, program: Awaited<ReturnType<typeof seedApproved>>, n: number, at: Date) {
  await ingestOnly(db, program, n, at);
  await approveDueCommissions(db, new Date(at.getTime() + 31 * DAY), program.store.id);
}
