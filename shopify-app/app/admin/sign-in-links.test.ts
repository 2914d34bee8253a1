import { createOwner, getAdminSession } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { MAX_PENDING_SIGN_IN_LINKS, SIGN_IN_LINK_REQUESTS_PER_ADDRESS } from "@trailmark/core/shared";
import { createStore } from "@trailmark/core/stores";
import {
  createTestDatabase,
  mailText,
  type ReceivedMail,
  SMTP_USER,
  startTestSmtpServer,
  type TestDatabase,
  type TestSmtpServer,
} from "@trailmark/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { provideDatabase } from "../db.server.ts";
import * as loginLink from "../routes/admin_.login.link.tsx";
import * as login from "../routes/admin_.login.tsx";
import { registerSignInMailer, signInMailer } from "./sign-in-mail.server.ts";
import { SESSION_COOKIE } from "./standalone.server.ts";
import { get, ORIGIN, post } from "./test-support.ts";

// The standalone admin's emailed sign-in links in production shape: sent through SMTP_URL to a real SMTP server
// on loopback, opened without being spent, spent by the page's button, and limited per account and per client
// address with one answer for every case.

let database: TestDatabase;
let db: Db;
let smtp: TestSmtpServer;
const FROM = "Trailmark Admin <admin-mail@trailmark.test>";

beforeAll(async () => {
  process.env.SHOPIFY_APP_URL = ORIGIN;
  database = await createTestDatabase();
  db = database.db;
  provideDatabase(database);
  smtp = await startTestSmtpServer();
  process.env.SMTP_URL = smtp.url();
  process.env.MAIL_FROM = FROM;
});
afterAll(async () => {
  delete process.env.SMTP_URL;
  delete process.env.MAIL_FROM;
  await smtp?.close();
  await database?.destroy();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

let n = 0;
async function newOwner(): Promise<string> {
  const i = ++n;
  const { store } = await createStore(db, { platform: "woocommerce", domain: `links-${i}.example.com` });
  const email = `owner-${i}@links.example.com`;
  await createOwner(db, store.id, email, null);
  return email;
}

/** The sign-in page's CSRF token and cookie, as a browser holds them. */
async function signInPage(): Promise<{ csrf: string; cookie: string }> {
  const page = await get<{ csrfToken: string }>(login.loader, "/admin/login");
  return { csrf: page.data.csrfToken, cookie: page.headers.get("set-cookie")!.split(";")[0]! };
}

async function askForLink(email: string, options: { clientIp?: string; origin?: string } = {}) {
  const { csrf, cookie } = await signInPage();
  return post<{ ok: boolean; message?: string }>(
    login.action,
    "/admin/login",
    { intent: "link", email },
    {
      csrf,
      headers: { cookie },
      context: options.clientIp ? { clientIp: options.clientIp } : {},
      origin: options.origin,
    },
  );
}

/** No mail arrives within a moment (the action does not wait for the mail server). */
async function expectNoMail() {
  await expect(smtp.nextMail(300)).rejects.toThrow(/no mail arrived/);
}

function linkIn(mail: ReceivedMail): URL {
  const match = /(https?:\/\/\S+\/admin\/login\/link\?token=[\w-]+)/.exec(mailText(mail.raw));
  if (!match) throw new Error(`no sign-in link in:\n${mailText(mail.raw)}`);
  return new URL(match[1]!);
}

describe("owner sign-in links by SMTP", () => {
  it("are on in production once SMTP_URL is set, and off without it", () => {
    vi.stubEnv("NODE_ENV", "production");
    expect(signInMailer()).not.toBeNull();
    vi.stubEnv("SMTP_URL", "");
    expect(signInMailer()).toBeNull();
  });

  it("mails the link through SMTP_URL from MAIL_FROM; the link's page spends nothing, its button signs in", async () => {
    const email = await newOwner();
    const sent = await askForLink(email);
    expect(sent).toMatchObject({ status: 200, data: { ok: true } });
    const mail = await smtp.nextMail();
    expect(mail.to).toEqual([email]);
    expect(mail.from).toBe("admin-mail@trailmark.test");
    expect(smtp.authAttempts).toContain(SMTP_USER);
    expect(mail.raw).toMatch(/^Subject: Your Trailmark sign-in link\r$/m);
    expect(mailText(mail.raw)).toContain("sign in to your store's Trailmark admin");
    const url = linkIn(mail);
    expect(url.origin + url.pathname).toBe(`${ORIGIN}/admin/login/link`);

    // A mail scanner opening the link twice changes nothing.
    const { cookie } = await signInPage();
    const open = () =>
      get<{ token: string; csrfToken: string }>(loginLink.loader, `${url.pathname}${url.search}`, {
        headers: { cookie },
      });
    await open();
    const page = await open();
    expect(page.data.token).toBe(url.searchParams.get("token"));
    expect(await db.signInToken.count({ where: { usedAt: { not: null } } })).toBe(0);

    // The button's POST needs the page's CSRF token, then signs in once.
    const forged = await post(
      loginLink.action,
      "/admin/login/link",
      { token: page.data.token },
      { csrf: "forged", headers: { cookie } },
    );
    expect(forged.status).toBe(403);
    const used = await post(
      loginLink.action,
      "/admin/login/link",
      { token: page.data.token },
      { csrf: page.data.csrfToken, headers: { cookie } },
    );
    expect(used.status).toBe(302);
    const session = new RegExp(`^${SESSION_COOKIE}=([\\w-]+);`).exec(used.headers.get("set-cookie") ?? "")?.[1];
    expect(session).toBeTruthy();
    expect((await getAdminSession(db, session!))?.email).toBe(email);
  });

  it("answers an unknown address exactly as a known one, and mails nothing", async () => {
    const email = await newOwner();
    const known = await askForLink(email);
    await smtp.nextMail();
    const unknown = await askForLink("nobody@links.example.com");
    expect(unknown.status).toBe(known.status);
    expect(unknown.data).toEqual(known.data);
    await expectNoMail();
  });

  it("puts the configured public URL in the link, whatever Host the request names", async () => {
    const email = await newOwner();
    const forged = await askForLink(email, { origin: "http://attacker.example" });
    expect(forged.data.ok).toBe(true);
    expect(linkIn(await smtp.nextMail()).origin).toBe(ORIGIN);
  });

  it(`sends at most ${MAX_PENDING_SIGN_IN_LINKS} unused links per account within the hour`, async () => {
    const email = await newOwner();
    const answers = [];
    for (let i = 0; i < MAX_PENDING_SIGN_IN_LINKS; i++) {
      answers.push(await askForLink(email, { clientIp: `10.9.0.${i}` }));
      await smtp.nextMail();
    }
    const limited = await askForLink(email, { clientIp: "10.9.1.1" });
    expect(limited.status).toBe(200);
    expect(limited.data).toEqual(answers[0]!.data);
    await expectNoMail();
  });

  it(`takes ${SIGN_IN_LINK_REQUESTS_PER_ADDRESS} link requests per client address, then answers alike and sends nothing`, async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const emails = await Promise.all([newOwner(), newOwner()]);
      for (let i = 0; i < SIGN_IN_LINK_REQUESTS_PER_ADDRESS; i++) {
        await askForLink(`stranger-${i}@links.example.com`, { clientIp: "10.8.0.1" });
      }
      const limited = await askForLink(emails[0]!, { clientIp: "10.8.0.1" });
      expect(limited).toMatchObject({ status: 200, data: { ok: true } });
      await expectNoMail();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("10.8.0.1"));
      // Another address is served.
      await askForLink(emails[1]!, { clientIp: "10.8.0.2" });
      expect((await smtp.nextMail()).to).toEqual([emails[1]]);
    } finally {
      warn.mockRestore();
    }
  });

  it("logs a mail the server refuses, and still answers as usual", async () => {
    const email = await newOwner();
    vi.stubEnv("SMTP_URL", smtp.url(SMTP_USER, "wrong password"));
    // The expected error, kept from the suite's check for unexpected ones (which restores console.error).
    const errors: unknown[][] = [];
    vi.mocked(console.error).mockImplementation((...args: unknown[]) => {
      errors.push(args);
    });
    const answer = await askForLink(email);
    expect(answer).toMatchObject({ status: 200, data: { ok: true } });
    await expect.poll(() => errors.length, { timeout: 5_000 }).toBe(1);
    expect(String(errors[0]![0])).toContain("could not send an owner sign-in link");
    expect(String(errors[0]![1])).toMatch(/invalid username or password/i);
  });

  it("uses a registered mailer instead, when the host process provides one", async () => {
    const email = await newOwner();
    const sent: string[] = [];
    registerSignInMailer(async ({ to }) => {
      sent.push(to);
    });
    try {
      await askForLink(email);
      expect(sent).toEqual([email]);
      await expectNoMail();
    } finally {
      registerSignInMailer(null);
    }
  });
});
