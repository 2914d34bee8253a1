import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import { mailText, SMTP_USER, startTestSmtpServer, type TestSmtpServer } from "../testing/smtp-server.ts";
import { createPortal } from "./index.ts";
import { createSmtpMailer } from "./mailer.ts";
import { openLink, requestLink, setCookieValue } from "./portal-test-kit.ts";

// The SMTP mailer against a real SMTP server on loopback (smtp-server), with AUTH PLAIN checked.

let smtp: TestSmtpServer;
let database: TestDatabase;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  database = await createTestDatabase();
});

afterAll(async () => {
  await smtp?.close();
  await database?.destroy();
});

describe("the SMTP mailer", () => {
  it("sends the sign-in link to the creator, authenticated with the URL's credentials", async () => {
    const mailer = createSmtpMailer(smtp.url(), "Trailmark <no-reply@trailmark.test>");
    try {
      const url = `https://go.example.com/portal/auth?token=${"A".repeat(43)}`;
      await mailer.sendSignInLink({ to: "ada@example.com", url, expiresAt: new Date("2026-03-01T12:15:00Z") });
      const mail = await smtp.nextMail();
      expect(mail.to).toEqual(["ada@example.com"]);
      expect(mail.from).toBe("no-reply@trailmark.test");
      expect(smtp.authAttempts).toContain(SMTP_USER);
      expect(mail.raw).toMatch(/^From: Trailmark <no-reply@trailmark\.test>\r$/m);
      expect(mail.raw).toMatch(/^To: ada@example\.com\r$/m);
      expect(mail.raw).toMatch(/^Subject: Your Trailmark sign-in link\r$/m);
      const text = mailText(mail.raw);
      expect(text).toContain("sign in to your Trailmark creator portal");
      expect(text).toContain(url);
      expect(text).toContain("2026-03-01 12:15 UTC");
    } finally {
      mailer.close();
    }
  });

  it("words an owner's mail for the store admin", async () => {
    const mailer = createSmtpMailer(smtp.url(), "Trailmark <no-reply@trailmark.test>");
    try {
      const url = `https://admin.example.com/admin/login/link?token=${"B".repeat(43)}`;
      await mailer.sendSignInLink({ to: "owner@example.com", url, expiresAt: new Date(), audience: "owner" });
      const text = mailText((await smtp.nextMail()).raw);
      expect(text).toContain("sign in to your store's Trailmark admin");
      expect(text).toContain(url);
    } finally {
      mailer.close();
    }
  });

  it("rejects when the server refuses the credentials", async () => {
    const mailer = createSmtpMailer(smtp.url(SMTP_USER, "wrong"), "Trailmark <no-reply@trailmark.test>");
    try {
      await expect(
        mailer.sendSignInLink({
          to: "ada@example.com",
          url: "https://x.test/portal/auth?token=t",
          expiresAt: new Date(),
        }),
      ).rejects.toThrow(/invalid username or password/i);
    } finally {
      mailer.close();
    }
  });

  it("delivers the link a creator asks for on the portal, and the link signs them in", async () => {
    const { db } = database;
    await seedProgram(db, { creators: [{ name: "Ada", email: "ada@example.com" }] });
    const mailer = createSmtpMailer(smtp.url(), "Trailmark <no-reply@trailmark.test>");
    try {
      const portal = createPortal({ db, publicUrl: "https://go.example.com", mailer });
      const answer = await requestLink(portal, "ada@example.com");
      expect(answer.status).toBe(200);
      const mail = await smtp.nextMail();
      expect(mail.to).toEqual(["ada@example.com"]);
      const link = /https:\/\/go\.example\.com\/portal\/auth\?token=[\w-]{43}/.exec(mailText(mail.raw));
      expect(link).not.toBeNull();
      const auth = (await openLink(portal, link![0])).answer!;
      expect(auth.status).toBe(303);
      expect(auth.headers.get("location")).toBe("/portal");
      expect(setCookieValue(auth, "tm_portal")).toBeTruthy();
    } finally {
      mailer.close();
    }
  });
});
