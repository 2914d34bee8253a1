// Generated malformed requests to every public route of `npm start`, through real HTTP: tracking links, the
// collector, the conversions API, WooCommerce and Shopify webhooks, the creator portal, the application page, the standalone and
// embedded admin and Shopify's auth pages. For each: no 5xx, the process still answers, and a refused request
// (4xx) wrote no row anywhere. FUZZ_RUNS sets the number of requests (default 2,000); a failure prints the
// fast-check seed and path to replay it.

import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER, type SeededProduct, seedAndStartProduct } from "./testing/product-fixture.ts";
import { changedTables, rowCounts, tableNames } from "./testing/row-counts.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);

let database: TestDatabase;
let seeded: SeededProduct;
let tables: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  // The collector's per-address limit is not what is under test here.
  seeded = await seedAndStartProduct(database, { COLLECT_RATE_LIMIT: "1000000" });
  tables = await tableNames(database);
}, 300_000);

afterAll(async () => {
  await seeded?.product.stop();
  await database?.destroy();
});

interface Fuzzed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

// Strings a careless or hostile client sends.
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "../../etc/passwd",
    "%00",
    "%zz",
    "\u0000",
    "null",
    "undefined",
    "NaN",
    "-0",
    "1e309",
    "9999-12-31",
    "+010000-01-01",
    "0000-00-00",
    "2026-02-30",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "tm_AAAAAAAAAAAAAAAA",
    "javascript:alert(1)",
    "https://evil.test/",
    "//evil.test",
    "9007199254740993",
    "100000000000000000000000",
  ),
  fc.string({ minLength: 500, maxLength: 3000 }),
);

const nastyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e21, -1, 0, 8640000000000001, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e-7, 0.001),
);

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: "small" },
  fc.jsonValue({ maxDepth: 3 }),
  nasty,
  nastyNumber,
);

const isoDate = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  nasty,
  nastyNumber,
);

/**
 * A valid body with at most one field set to something bad: the shape that gets furthest into a handler, where
 * a single unchecked value (a date out of range, an amount past 2^53) turns into a 5xx.
 */
function oneFieldOff(
  valid: fc.Arbitrary<Record<string, unknown>>,
  bad: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(bad);
  return fc
    .tuple(valid, fc.oneof(fc.constant(undefined), fc.constantFrom(...names)))
    .chain(([body, name]) =>
      name === undefined
        ? fc.constant(body)
        : fc.oneof(bad[name]!, jsonish, fc.constant(undefined)).map((value) => ({ ...body, [name]: value })),
    );
}

const recent = fc.integer({ min: -30 * 86_400_000, max: 0 }).map((ago) => new Date(Date.now() + ago).toISOString());
const amount = fc.integer({ min: 0, max: 1_000_000 }).map((cents) => (cents / 100).toFixed(2));

const collectEvent = () =>
  oneFieldOff(
    fc.oneof(
      fc.record({
        store: fc.constant(seeded.storeId),
        id: fc.uuid(),
        type: fc.constant("page_view"),
        visitor_id: fc.uuid(),
        occurred_at: recent,
        url: fc.webUrl(),
      }),
      fc.record({
        store: fc.constant(seeded.storeId),
        id: fc.uuid(),
        type: fc.constant("purchase"),
        visitor_id: fc.uuid(),
        occurred_at: recent,
        order_id: fc.integer({ min: 1, max: 1_000_000 }).map(String),
        value: amount,
        currency: fc.constantFrom("USD", "EUR", "JPY", "KWD"),
      }),
    ),
    {
      store: nasty,
      id: nasty,
      type: nasty,
      visitor_id: nasty,
      occurred_at: fc.oneof(
        isoDate,
        fc.constantFrom(8640000000000001, 253402300800000, 1e21, "+275760-09-13T00:00:00Z"),
      ),
      click_ids: fc.array(fc.constantFrom("tm_AAAAAAAAAAAAAAAA", "bad"), { maxLength: 3 }),
      url: nasty,
      value: fc.oneof(nastyNumber, nasty),
      currency: fc.constantFrom("USD", "XXX", "usd", ""),
      order_id: nasty,
    },
  );

const conversion = () =>
  oneFieldOff(
    fc.record({
      type: fc.constantFrom("sign_up", "lead", "purchase"),
      occurred_at: recent,
      visitor_id: fc.uuid(),
      order_id: fc.integer({ min: 1, max: 1_000_000 }).map((n) => `fz-${n}`),
      value: amount,
      currency: fc.constantFrom("USD", "JPY", "KWD"),
    }),
    {
      type: nasty,
      occurred_at: fc.oneof(isoDate, fc.constantFrom("+275760-09-13T00:00:00Z", "9999-12-31T23:59:59Z")),
      click_id: fc.constantFrom("tm_AAAAAAAAAAAAAAAA", "nope"),
      visitor_id: nasty,
      value: fc.oneof(nastyNumber, nasty),
      currency: fc.constantFrom("USD", "XX", "usd"),
      order_id: nasty,
      discount_codes: fc.array(nasty, { maxLength: 3 }),
    },
  );

const contentType = fc.constantFrom(
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "multipart/form-data",
  "application/octet-stream",
  "text/html; charset=utf-16",
  "",
);

const method = fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");

const foreignOrigin = fc.option(fc.constantFrom("https://evil.test", "null", "not a url", "http://127.0.0.1:1"), {
  nil: undefined,
});

function formBody(fields: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  return fc
    .record(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fc.oneof(v, nasty)])), { requiredKeys: [] })
    .chain((values) =>
      fc
        .dictionary(nasty, nasty, { maxKeys: 3 })
        .map((extra) => new URLSearchParams({ ...extra, ...(values as Record<string, string>) }).toString()),
    );
}

const query = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom(
        "from",
        "to",
        "page",
        "q",
        "status",
        "kind",
        "campaignId",
        "creatorId",
        "shop",
        "host",
        "next",
        "token",
        "exitIframe",
        "embedded",
        "id_token",
        "created",
      ),
      nasty,
    ),
    nasty,
    { maxKeys: 4 },
  )
  .map((q) => (Object.keys(q).length ? `?${new URLSearchParams(q)}` : ""));

function routes(): fc.Arbitrary<Fuzzed> {
  const tracking = fc.record({
    method,
    path: fc
      .tuple(fc.oneof(fc.constant(seeded.linkCode), nasty), query)
      .map(([code, q]) => `/c/${encodeURIComponent(code)}${q}`),
    headers: fc.record({ "user-agent": fc.oneof(fc.constant(BROWSER), nasty), referer: nasty }, { requiredKeys: [] }),
  });
  const collect = fc.record({
    method: fc.constantFrom("POST", "POST", "POST", "POST", "GET", "OPTIONS", "PUT"),
    path: fc.constant("/collect"),
    headers: fc.record(
      {
        "content-type": fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom("text/plain", "application/json") },
          contentType,
        ),
        origin: fc.oneof({ weight: 4, arbitrary: fc.constant("https://edges.example.com") }, nasty),
      },
      { requiredKeys: ["content-type"] },
    ),
    body: fc.oneof(
      collectEvent().map((e) => JSON.stringify(e)),
      fc.array(collectEvent(), { maxLength: 5 }).map((e) => JSON.stringify(e)),
      jsonish.map((v) => JSON.stringify(v) ?? ""),
      nasty,
    ),
  });
  const api = fc.record({
    method: fc.constantFrom("POST", "POST", "GET", "PUT"),
    path: fc.constantFrom("/api/v1/conversions", "/api/v1/openapi.json", "/api/v1/nothing"),
    headers: fc.record(
      {
        "content-type": fc.oneof({ weight: 4, arbitrary: fc.constant("application/json") }, contentType),
        authorization: fc.oneof({ weight: 4, arbitrary: fc.constant(`Bearer ${seeded.apiKey}`) }, nasty),
        "idempotency-key": nasty,
      },
      { requiredKeys: ["content-type", "authorization"] },
    ),
    body: fc.oneof(
      conversion().map((c) => JSON.stringify(c)),
      jsonish.map((v) => JSON.stringify(v) ?? ""),
      nasty,
    ),
  });
  const woo = fc.record({
    method: fc.constantFrom("POST", "POST", "GET"),
    path: fc
      .oneof(fc.constant(seeded.wooStoreId), nasty)
      .map((id) => `/woocommerce/webhooks/${encodeURIComponent(id)}`),
    headers: fc.record(
      {
        "content-type": contentType,
        "x-wc-webhook-topic": fc.oneof(fc.constantFrom("order.created", "order.updated", "order.deleted"), nasty),
        "x-wc-webhook-signature": nasty,
        "x-wc-webhook-delivery-id": nasty,
        "x-wc-webhook-source": nasty,
      },
      { requiredKeys: [] },
    ),
    body: fc.oneof(
      jsonish.map((v) => JSON.stringify(v) ?? ""),
      nasty,
    ),
  });
  const shopify = fc.record({
    method: fc.constantFrom("POST", "POST", "GET"),
    path: fc
      .oneof(
        fc.constantFrom(
          "orders/create",
          "orders/paid",
          "orders/updated",
          "orders/cancelled",
          "refunds/create",
          "compliance",
          "app/uninstalled",
          "app/scopes_update",
        ),
        nasty.map(encodeURIComponent),
      )
      .map((topic) => `/webhooks/${topic}`),
    headers: fc.record(
      {
        "content-type": contentType,
        "x-shopify-topic": nasty,
        "x-shopify-hmac-sha256": nasty,
        "x-shopify-shop-domain": fc.oneof(fc.constant("edges.myshopify.com"), nasty),
        "x-shopify-webhook-id": nasty,
        "x-shopify-api-version": nasty,
      },
      { requiredKeys: [] },
    ),
    body: fc.oneof(
      jsonish.map((v) => JSON.stringify(v) ?? ""),
      nasty,
    ),
  });
  const portal = fc.record({
    method: fc.constantFrom("GET", "POST", "POST"),
    path: fc
      .tuple(
        fc.constantFrom(
          "/portal",
          "/portal/",
          "/portal/sign-in",
          "/portal/auth",
          "/portal/sign-out",
          "/portal/payouts",
          "/portal/x",
        ),
        query,
      )
      .map(([p, q]) => p + q),
    headers: fc.record(
      { "content-type": contentType, origin: foreignOrigin.map((o) => o ?? "") },
      { requiredKeys: [] },
    ),
    body: formBody({
      email: fc.emailAddress(),
      _csrf: nasty,
      token: nasty,
      method: nasty,
      paypalEmail: fc.emailAddress(),
    }),
  });
  // The public application page of the seeded store (handle "edges"), another handle, and broken ones.
  const apply = fc.record({
    method: fc.constantFrom("GET", "POST", "POST", "PUT"),
    path: fc
      .tuple(
        fc.constantFrom(
          "/apply",
          "/apply/edges",
          "/apply/edges/",
          "/apply/edges/cp_x",
          "/apply/nope",
          "/apply/%E0%A4%A",
        ),
        query,
      )
      .map(([p, q]) => p + q),
    headers: fc.record(
      { "content-type": contentType, cookie: nasty.map((v) => `tm_apply_csrf=${encodeURIComponent(v)}`) },
      { requiredKeys: [] },
    ),
    body: formBody({
      csrf: nasty,
      name: nasty,
      email: fc.oneof(fc.emailAddress(), nasty),
      profiles: nasty,
      audience: nasty,
      country: nasty,
      consent: fc.constantFrom("yes", "no", ""),
      termsVersion: nasty,
      website: fc.constantFrom("", "http://spam.example"),
    }),
  });
  const adminPaths = fc.constantFrom(
    "/admin",
    "/admin/campaigns",
    "/admin/campaigns/new",
    "/admin/creators",
    "/admin/conversions",
    "/admin/conversions/export",
    "/admin/models",
    "/admin/settings",
    "/admin/login",
    "/admin/login/link",
    "/admin/logout",
    "/admin/campaigns/nope",
    "/admin/creators/nope",
    "/admin/conversions/nope",
    "/admin.data",
    "/admin/campaigns/new.data",
    "/admin/settings.data",
  );
  const admin = fc
    .record({
      method: fc.constantFrom("GET", "POST", "POST", "POST"),
      path: fc.tuple(adminPaths, query).map(([p, q]) => p + q),
      signedIn: fc.boolean(),
      withCsrf: fc.boolean(),
      origin: foreignOrigin,
      contentType: fc.oneof(fc.constant("application/x-www-form-urlencoded"), contentType),
      body: formBody({
        intent: fc.constantFrom(
          "create",
          "update",
          "status",
          "override",
          "archive",
          "restore",
          "code",
          "link",
          "linkStatus",
          "createKey",
          "revokeKey",
          "retryWebhooks",
          "password",
          "link",
        ),
        name: nasty,
        email: fc.emailAddress(),
        password: nasty,
        model: fc.constantFrom("last_click", "first_click", "linear", "time_decay", "position_based"),
        lookbackDays: nasty,
        startsAt: nasty,
        endsAt: nasty,
        budget: nasty,
        "rule.purchase.type": fc.constantFrom("percentage", "flat", "none"),
        "rule.purchase.value": nasty,
        goals: fc.constantFrom("purchase", "sign_up", "lead"),
        campaignId: nasty,
        creatorId: nasty,
        code: nasty,
        destinationUrl: fc.oneof(fc.webUrl(), nasty),
        status: nasty,
        keyId: nasty,
        next: nasty,
        token: nasty,
      }),
    })
    .map(({ method, path, signedIn, withCsrf, origin, contentType, body }) => {
      const headers: Record<string, string> = { "user-agent": BROWSER, "content-type": contentType };
      if (signedIn) headers.cookie = seeded.ownerCookie;
      if (origin) headers.origin = origin;
      const withToken = withCsrf ? `${body}&_csrf=${encodeURIComponent(seeded.ownerCsrf)}` : body;
      return { method, path, headers, body: withToken };
    });
  const embedded = fc.record({
    method: fc.constantFrom("GET", "POST"),
    path: fc
      .tuple(
        fc.constantFrom(
          "/app",
          "/app/campaigns",
          "/app/settings",
          "/auth/login",
          "/auth/exit-iframe",
          "/auth/session-token",
          "/auth/callback",
          "/auth",
          "/",
          "/nowhere",
        ),
        query,
      )
      .map(([p, q]) => p + q),
    headers: fc.record(
      {
        "user-agent": fc.constant(BROWSER),
        authorization: nasty.map((t) => `Bearer ${t}`),
        "content-type": contentType,
        origin: foreignOrigin.map((o) => o ?? ""),
      },
      { requiredKeys: ["user-agent"] },
    ),
    body: formBody({ shop: nasty }),
  });
  const other = fc.record({
    method,
    path: fc
      .tuple(fc.constantFrom("/t.js", "/healthz", "/assets/x.js", "/favicon.ico", "/.vite/manifest.json"), query)
      .map(([p, q]) => p + q),
    headers: fc.constant({}),
  });
  return fc.oneof(tracking, collect, api, woo, shopify, portal, apply, admin, embedded, other) as fc.Arbitrary<Fuzzed>;
}

function describeRequest(r: Fuzzed): string {
  return `${r.method} ${r.path} ${JSON.stringify(r.headers)} ${JSON.stringify(r.body?.slice(0, 300) ?? "")}`;
}

async function send(r: Fuzzed): Promise<{ status: number; body: string }> {
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([, v]) => v !== ""));
  const hasBody = r.body !== undefined && r.method !== "GET" && r.method !== "HEAD";
  // fetch refuses header values with control characters; a client on a socket could send them, but the HTTP
  // parser, not our code, refuses those.
  for (const [k, v] of Object.entries(headers)) {
    if ([...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0x7e)) delete headers[k];
  }
  const response = await fetch(`${seeded.product.url}${r.path}`, {
    method: r.method,
    headers,
    body: hasBody ? r.body : undefined,
    redirect: "manual",
  });
  return { status: response.status, body: (await response.text()).slice(0, 500) };
}

/** Waits until no more rows appear (an accepted request's group commit or inbox work may land just after). */
async function settledCounts(): Promise<Record<string, number>> {
  let last = await rowCounts(database, tables);
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = await rowCounts(database, tables);
    if (changedTables(last, now).length === 0) return now;
    last = now;
  }
  return last;
}

describe("public routes under generated malformed requests", () => {
  it(`answers ${RUNS} of them without a 5xx, keeps answering, and writes nothing for a refused one`, async () => {
    const statuses = new Map<number, number>();
    let before = await settledCounts();
    await fc.assert(
      fc.asyncProperty(routes(), async (request) => {
        const { status, body } = await send(request);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, `${describeRequest(request)}\n-> ${body}`).toBeLessThan(500);
        expect(seeded.product.exitCode(), seeded.product.stderr().slice(-3000)).toBeNull();
        if (status >= 400) {
          const after = await rowCounts(database, tables);
          expect(changedTables(before, after), `${describeRequest(request)}\n-> ${status} ${body}`).toEqual([]);
        } else before = await settledCounts();
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // The server still answers an honest request.
    expect((await fetch(`${seeded.product.url}/api/v1/openapi.json`)).status).toBe(200);
    // Every kind of answer was seen, so the generators reach past the first refusal.
    console.info(`fuzz answers by status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  }, 600_000);
});
