// `npm start` against requests no honest client sends, through real HTTP: bodies over every limit, chunked,
// trickled and cut off on every route; foreign origins, non-form bodies, open redirects and framing on the
// Remix app. After each, the process must still be running and answering, and no answer may be a 5xx.

import { PASSWORD_ATTEMPTS_PER_ADDRESS } from "@trailmark/core/admin";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER, type SeededProduct, seedAndStartProduct } from "./testing/product-fixture.ts";
import { type RawOutcome, sendRaw } from "./testing/raw-http.ts";

let database: TestDatabase;
let seeded: SeededProduct;
let url: string;

beforeAll(async () => {
  database = await createTestDatabase();
  // Behind a proxy: the client address is the right-most X-Forwarded-For entry.
  seeded = await seedAndStartProduct(database, { TRUST_PROXY: "true", SHOPIFY_APP_URL: "https://trailmark.test" });
  url = seeded.product.url;
}, 300_000);

afterAll(async () => {
  await seeded?.product.stop();
  await database?.destroy();
});

/** The process is running and answers a plain request. */
async function expectAlive(after: string) {
  expect(seeded.product.exitCode(), `${after}: the process exited\n${seeded.product.stderr().slice(-3000)}`).toBe(null);
  const response = await fetch(`${url}/api/v1/openapi.json`);
  expect(response.status, after).toBe(200);
  await response.arrayBuffer();
}

interface Route {
  name: string;
  path: () => string;
  headers: () => Record<string, string>;
}

const FORM = { "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER };
const JSON_TYPE = { "content-type": "application/json" };

const ROUTES: Route[] = [
  { name: "tracking link", path: () => `/c/${seeded.linkCode}`, headers: () => ({ "user-agent": BROWSER }) },
  { name: "collector", path: () => "/collect", headers: () => ({ "content-type": "text/plain" }) },
  {
    name: "conversions API",
    path: () => "/api/v1/conversions",
    headers: () => ({ ...JSON_TYPE, authorization: `Bearer ${seeded.apiKey}` }),
  },
  {
    name: "WooCommerce webhooks",
    path: () => `/woocommerce/webhooks/${seeded.wooStoreId}`,
    headers: () => ({ ...JSON_TYPE, "x-wc-webhook-topic": "order.created", "x-wc-webhook-signature": "AAAA" }),
  },
  {
    name: "Shopify webhooks",
    path: () => "/webhooks/orders/create",
    headers: () => ({
      ...JSON_TYPE,
      "x-shopify-topic": "orders/create",
      "x-shopify-hmac-sha256": "AAAA",
      "x-shopify-shop-domain": "edges.myshopify.com",
      "x-shopify-webhook-id": "wh-hostile",
      "x-shopify-api-version": "2026-07",
    }),
  },
  { name: "portal sign-in form", path: () => "/portal/sign-in", headers: () => FORM },
  { name: "admin sign-in form", path: () => "/admin/login", headers: () => FORM },
  {
    name: "admin action",
    path: () => "/admin/campaigns/new",
    headers: () => ({ ...FORM, cookie: seeded.ownerCookie, "x-csrf-token": seeded.ownerCsrf }),
  },
];

const MIB = 1024 * 1024;
/** Past every route's limit (the largest, Shopify webhooks, is 5 MB). */
const OVERSIZED = 6 * MIB;
const PIECE = Buffer.alloc(64 * 1024, "a");
const oversizedPieces = () => Array.from({ length: OVERSIZED / PIECE.length }, () => PIECE);

function expectNo5xx(outcome: RawOutcome, what: string) {
  if (outcome.status !== null) expect(outcome.status, `${what}: ${outcome.body.slice(0, 300)}`).toBeLessThan(500);
}

describe("hostile bodies on every route", () => {
  for (const route of ROUTES) {
    it(`${route.name}: oversized, chunked, slow and aborted bodies leave the server answering`, async () => {
      const target = `${url}${route.path()}`;
      const declared = await sendRaw(target, {
        headers: { ...route.headers(), "content-length": String(OVERSIZED) },
        pieces: oversizedPieces(),
      });
      expectNo5xx(declared, "declared oversized");
      await expectAlive(`${route.name}, oversized with Content-Length`);

      // No Content-Length: node:http sends it chunked, so the server learns the size only by reading.
      const chunked = await sendRaw(target, {
        headers: { ...route.headers(), "transfer-encoding": "chunked" },
        pieces: oversizedPieces(),
      });
      expectNo5xx(chunked, "chunked oversized");
      // Just over the limit of the WooCommerce bridge (1 MB), as issue 19 sent it.
      const justOver = await sendRaw(target, {
        headers: { ...route.headers(), "transfer-encoding": "chunked" },
        pieces: Array.from({ length: 18 }, () => PIECE),
      });
      expectNo5xx(justOver, "chunked 1.1 MB");
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expectAlive(`${route.name}, chunked oversized`);

      // A body trickling in while other clients are served.
      const body = "a=b&c=d&e=f&g=h&i=j";
      const slow = sendRaw(target, {
        headers: { ...route.headers(), "content-length": String(body.length) },
        pieces: [...body],
        gapMs: 40,
      });
      await expectAlive(`${route.name}, during a slow body`);
      const slowOutcome = await slow;
      expect(slowOutcome.status, "a slow body is answered").not.toBeNull();
      expectNo5xx(slowOutcome, "slow body");

      // Cut off half way, with and without a length.
      const aborted = await sendRaw(target, {
        headers: { ...route.headers(), "content-length": "100000" },
        pieces: [PIECE.subarray(0, 1000), PIECE.subarray(0, 1000)],
        gapMs: 50,
        abortAfter: 2,
      });
      expectNo5xx(aborted, "aborted");
      const abortedChunked = await sendRaw(target, {
        headers: { ...route.headers(), "transfer-encoding": "chunked" },
        pieces: [PIECE, PIECE],
        gapMs: 50,
        abortAfter: 2,
      });
      expectNo5xx(abortedChunked, "aborted chunked");
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expectAlive(`${route.name}, aborted bodies`);
    });
  }

  it("refuses a declared body over the standalone admin's limit without reading it", async () => {
    const outcome = await sendRaw(`${url}/admin/login`, {
      headers: { ...FORM, "content-length": String(50 * MIB) },
      pieces: [PIECE],
    });
    expect(outcome.status).toBe(413);
    const chunked = await sendRaw(`${url}/admin/campaigns/new`, {
      headers: { ...FORM, cookie: seeded.ownerCookie, "transfer-encoding": "chunked" },
      pieces: Array.from({ length: 8 }, () => PIECE),
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: "payload_too_large" } });
  });
});

function post(path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  return fetch(`${url}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "user-agent": BROWSER, ...init.headers },
    body: init.body,
  });
}

describe("the Remix app's edges", () => {
  it("answers a foreign, null or malformed Origin on a POST to any Remix route with 403 and a reason", async () => {
    const paths = ["/admin/login", "/admin/login.data", "/admin/campaigns/new", "/app", "/auth/login", "/", "/nowhere"];
    for (const origin of ["https://evil.test", "null", "not a url"]) {
      for (const path of paths) {
        const response = await post(path, {
          headers: { origin, ...FORM, cookie: seeded.ownerCookie },
          body: `_csrf=${seeded.ownerCsrf}&name=x`,
        });
        expect(response.status, `${origin} ${path}`).toBe(403);
        expect(await response.json(), `${origin} ${path}`).toMatchObject({ error: { code: "forbidden" } });
      }
    }
    // Our own origin is not refused.
    const own = await post("/admin/login", { headers: { origin: url, ...FORM }, body: "intent=password" });
    expect(own.status).toBe(403); // the sign-in form's CSRF token is missing: the route's own 403, with its page
    expect(await own.text()).toContain("The sign-in form expired");
  });

  it("answers a body that is not a form with 415, and a malformed form with 400", async () => {
    for (const path of ["/admin/login", "/admin/campaigns/new", "/admin/settings", "/admin/logout"]) {
      const types: Record<string, string>[] = [
        { "content-type": "application/json" },
        { "content-type": "text/plain" },
        {},
      ];
      for (const headers of types) {
        const response = await post(path, { headers: { ...headers, cookie: seeded.ownerCookie }, body: '{"a":1}' });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(415);
        expect((await response.json()).error.code).toBe("unsupported_media_type");
      }
      const noBody = await post(path, { headers: { cookie: seeded.ownerCookie } });
      expect(noBody.status, `${path} without a body`).toBe(415);
      const multipart = await post(path, {
        headers: { "content-type": "multipart/form-data; boundary=xyz", cookie: seeded.ownerCookie },
        body: "this is not multipart",
      });
      expect(multipart.status, `${path} malformed multipart`).toBe(400);
    }
  });

  it("answers an amount past the safe-integer range on the conversions API with 400 naming the field", async () => {
    for (const value of [1e21, "1000000000000000000000", "90071992547409.92"]) {
      const response = await post("/api/v1/conversions", {
        headers: { ...JSON_TYPE, authorization: `Bearer ${seeded.apiKey}` },
        body: JSON.stringify({
          type: "purchase",
          occurred_at: new Date().toISOString(),
          visitor_id: "v-1",
          order_id: `huge-${String(value)}`,
          value,
          currency: "USD",
        }),
      });
      expect(response.status, String(value)).toBe(400);
      const { error } = await response.json();
      expect(error.details, String(value)).toContainEqual({ path: "value", message: expect.any(String) });
    }
    expect(await database.db.order.count({ where: { externalId: { startsWith: "huge-" } } })).toBe(0);
  });

  it("answers dates past year 9999 in the admin's ranges with 400", async () => {
    for (const path of [
      "/admin?from=9999-12-31&to=9999-12-31",
      "/admin/models?to=9999-12-31",
      "/admin/conversions?from=9999-12-30&to=9999-12-31",
      "/admin/conversions.data?from=9999-12-31",
      "/admin/conversions/export?to=9999-12-31",
    ]) {
      const response = await fetch(`${url}${path}`, {
        headers: { cookie: seeded.ownerCookie, "user-agent": BROWSER },
        redirect: "manual",
      });
      expect(response.status, path).toBe(400);
      await response.arrayBuffer();
    }
    // Text that is no day at all is ignored, as before: the default range.
    const junk = await fetch(`${url}/admin?from=%2B010000-01-01`, { headers: { cookie: seeded.ownerCookie } });
    expect(junk.status).toBe(200);
    await junk.arrayBuffer();
  });

  it("sends the top frame only to the app, the shop's admin or admin.shopify.com from /auth/exit-iframe", async () => {
    const exit = (destination: string, shop = "edges.myshopify.com") =>
      fetch(
        `${url}/auth/exit-iframe?${new URLSearchParams({ shop, host: "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZWRnZXM", exitIframe: destination })}`,
        { headers: { "user-agent": BROWSER } },
      );
    for (const bad of [
      "https://evil.test/phish",
      "//evil.test/phish",
      "https://edges.myshopify.com.evil.test/admin",
      "https://evil.myshopify.com/admin", // another shop than the one named
      "https://edges.myshopify.com/pages/phish", // the shop's storefront, not its admin
      "https://admin.shopify.com@evil.test/",
      "javascript:alert(1)",
    ]) {
      const response = await exit(bad);
      const text = await response.text();
      expect(response.status, bad).toBe(400);
      expect(text, bad).not.toContain("window.open");
    }
    for (const good of [
      "/auth?shop=edges.myshopify.com",
      "https://trailmark.test/auth?shop=edges.myshopify.com",
      "https://edges.myshopify.com/admin/oauth/authorize?client_id=x",
      "https://admin.shopify.com/store/edges/apps/trailmark",
    ]) {
      const response = await exit(good);
      expect(response.status, good).toBe(200);
      expect(await response.text(), good).toContain("window.open");
      // Framed by Shopify admin only: the ?shop= parameter is not authenticated here.
      expect(response.headers.get("content-security-policy")).toBe("frame-ancestors https://admin.shopify.com;");
    }
  });

  it("refuses to be framed anywhere outside the embedded admin", async () => {
    for (const path of ["/admin/login", "/admin", "/admin/campaigns", "/auth/login", "/", "/nowhere"]) {
      const response = await fetch(`${url}${path}`, {
        headers: { cookie: seeded.ownerCookie, "user-agent": BROWSER },
        redirect: "manual",
      });
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      await response.arrayBuffer();
    }
    const embedded = await fetch(`${url}/app?shop=attacker.myshopify.com&host=YWRtaW4`, {
      headers: { "user-agent": BROWSER },
      redirect: "manual",
    });
    expect(embedded.headers.get("content-security-policy") ?? "").not.toContain("attacker");
  });

  it("keys sign-in limits on the address our proxy appended, not on one the client wrote", async () => {
    const page = await fetch(`${url}/admin/login`, { headers: { "user-agent": BROWSER } });
    const csrfCookie = page.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = /name="_csrf"[^>]*value="([\w-]+)"|value="([\w-]+)"[^>]*name="_csrf"/.exec(await page.text());
    const token = csrf![1] ?? csrf![2]!;
    const statuses: number[] = [];
    for (let i = 0; i <= PASSWORD_ATTEMPTS_PER_ADDRESS; i++) {
      const response = await post("/admin/login", {
        headers: {
          ...FORM,
          origin: url,
          cookie: csrfCookie,
          // A new address every time on the left, the proxy's view of the client on the right.
          "x-forwarded-for": `198.18.${i}.1, 203.0.113.77`,
        },
        body: new URLSearchParams({
          _csrf: token,
          intent: "password",
          email: `guess-${i}@edges.example.com`,
          password: "not the password!",
        }).toString(),
      });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, PASSWORD_ATTEMPTS_PER_ADDRESS).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it("refuses sign-ins past a few at once before the app, and never the sign-in page", async () => {
    const page = await fetch(`${url}/admin/login`, { headers: { "user-agent": BROWSER } });
    const csrfCookie = page.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = /name="_csrf"[^>]*value="([\w-]+)"|value="([\w-]+)"[^>]*name="_csrf"/.exec(await page.text());
    const token = csrf![1] ?? csrf![2]!;
    // Each from its own address, so the per-address limit stops none of them: only the gate does.
    const posts = Array.from({ length: 30 }, (_, i) =>
      post("/admin/login", {
        headers: { ...FORM, origin: url, cookie: csrfCookie, "x-forwarded-for": `198.51.100.${i + 1}` },
        body: new URLSearchParams({
          _csrf: token,
          intent: "password",
          email: `flood-${i}@edges.example.com`,
          password: "not the password!",
        }).toString(),
      }).then(async (response) => ({
        status: response.status,
        type: response.headers.get("content-type"),
        body: await response.text(),
      })),
    );
    const pages = Array.from({ length: 3 }, () =>
      fetch(`${url}/admin/login`, { headers: { "user-agent": BROWSER } }).then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const answers = await Promise.all(posts);
    expect(await Promise.all(pages)).toEqual([200, 200, 200]);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.type).toMatch(/^application\/json/);
      expect(JSON.parse(answer.body)).toEqual({
        error: { code: "rate_limited", message: "too many sign-ins at once; try again in a moment" },
      });
    }
    // The rest reached the sign-in and were told the password was wrong.
    expect(answers.filter((a) => a.status !== 429).every((a) => a.status === 401)).toBe(true);
    await expectAlive("a flood of sign-ins");
  });
});
