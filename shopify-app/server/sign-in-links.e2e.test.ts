import { createOwner } from "@trailmark/core/admin";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { SIGN_IN_LINK_REQUESTS_PER_ADDRESS } from "@trailmark/core/shared";
import { createStore } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerSignInMailer } from "../app/admin/sign-in-mail.server.ts";

// The built app over real HTTP on loopback, mounted as scripts/start.ts mounts it: the client's address reaches
// the sign-in page's action (Remix's load context), which limits link requests per address.

const EMAIL = "owner@links-e2e.example.com";
let database: TestDatabase;
let server: RunningServer;
const sent: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  server = await serveFetch((request, ctx) => handler(request, ctx), { port: 0, host: "127.0.0.1" });
  process.env.SHOPIFY_APP_URL = server.url;
  const { store } = await createStore(database.db, { platform: "custom", domain: "links-e2e.example.com" });
  await createOwner(database.db, store.id, EMAIL, null);
  // The server build is its own module graph; the mailer is registered on globalThis, which both share.
  registerSignInMailer(async ({ to }) => {
    sent.push(to);
  });
}, 300_000);

afterAll(async () => {
  registerSignInMailer(null);
  await server?.close();
  await database?.destroy();
});

/** The sign-in page as a browser without JavaScript gets it: its CSRF cookie and the form's token. */
async function signInForm(): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${server.url}/admin/login`);
  const cookie = page.headers.getSetCookie()[0]!.split(";")[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error("no CSRF field on the sign-in page");
  return { cookie, csrf };
}

async function askForLink(email: string, form: { cookie: string; csrf: string }): Promise<string> {
  const response = await fetch(`${server.url}/admin/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: form.cookie, origin: server.url },
    body: new URLSearchParams({ _csrf: form.csrf, intent: "link", email }).toString(),
  });
  expect(response.status).toBe(200);
  return response.text();
}

describe("asking for owner sign-in links over HTTP", () => {
  it(`sends nothing past ${SIGN_IN_LINK_REQUESTS_PER_ADDRESS} requests from one address, answering alike`, async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const form = await signInForm();
      const first = await askForLink(EMAIL, form);
      expect(sent).toEqual([EMAIL]);
      expect(first).toContain("a sign-in link is on its way");
      for (let i = 1; i < SIGN_IN_LINK_REQUESTS_PER_ADDRESS; i++) await askForLink(`stranger-${i}@example.com`, form);
      // The account has one unused link, far under its own limit: only the address's limit holds this back.
      const limited = await askForLink(EMAIL, form);
      expect(limited).toContain("a sign-in link is on its way");
      expect(sent).toEqual([EMAIL]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("too many requests from 127.0.0.1"));
    } finally {
      warn.mockRestore();
    }
  });
});
