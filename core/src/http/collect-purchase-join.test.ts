import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../orders/ingest-order.ts";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { trackingNodeRoutes } from "../server/tracking-routes.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { insertClick, seedProgram } from "../testing/fixtures.ts";
import { createTrackingApp, type TrackingApp } from "./tracking-app.ts";

// A browser's purchase event joins an order only through what the buyer's browser alone knows: Shopify's
// checkout token, WooCommerce's order key. Order ids are guessable (WooCommerce's are sequential) and the store
// id is public in the script tag, so an event naming only an order id must never move an order to a creator.

let database: TestDatabase;
let app: TrackingApp;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  app = createTrackingApp({ database, collectRateLimit: 100_000 });
  await app.start();
  server = await serveFetch(app.handler, { port: 0, host: "127.0.0.1", nodeRoutes: trackingNodeRoutes(app) });
});
afterAll(async () => {
  await server?.close();
  await app?.stop();
  await database?.destroy();
});

let stores = 0;
async function programOn(platform: "shopify" | "woocommerce") {
  const n = ++stores;
  const domain = platform === "shopify" ? `forge-${n}.myshopify.com` : `woo-forge-${n}.example.com`;
  const program = await seedProgram(database.db, {
    domain,
    campaign: { goals: ["purchase"], commissionRules: { purchase: { type: "percentage", basisPoints: 1000 } } },
  });
  await database.db.store.update({ where: { id: program.store.id }, data: { platform } });
  return { ...program, origin: `https://${domain}` };
}

async function collect(origin: string, body: Record<string, unknown>, src = "") {
  const res = await fetch(`${server.url}/collect${src}`, {
    method: "POST",
    headers: { "content-type": "text/plain", origin },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  await app.idle();
}

// As the platforms' normalizers give them: Shopify's checkout_token, WooCommerce's order_key.
function order(storeId: string, externalId: string, checkoutToken: string) {
  return ingestOrder(database.db, storeId, {
    externalId,
    status: "confirmed",
    currency: "USD",
    total: 10_000,
    checkoutToken,
    placedAt: new Date(),
    sourceUpdatedAt: new Date(),
  });
}

const commissionsOf = (conversionId: string | null) =>
  database.db.commission.findMany({ where: { conversionId: conversionId ?? "" }, select: { creatorId: true } });

describe.each([
  { platform: "woocommerce" as const, src: "?src=script", genuine: (key: string) => ({ order_key: key }) },
  { platform: "shopify" as const, src: "", genuine: (token: string) => ({ checkout_token: token }) },
])("a /collect purchase on $platform", ({ platform, src, genuine }) => {
  it("naming only an order id and a creator's click id does not attribute an order that came first", async () => {
    const p = await programOn(platform);
    const click = await insertClick(database.db, p.links[0]!, new Date(Date.now() - 60_000));
    const placed = await order(p.store.id, "1001", `secret-${platform}-1001`);
    expect(placed.status).toBe("unattributed");
    await collect(
      p.origin,
      {
        store: p.store.id,
        id: "forged-1",
        type: "purchase",
        visitor_id: "attacker",
        order_id: "1001",
        click_ids: [click],
      },
      src,
    );
    expect(await commissionsOf(placed.conversionId)).toEqual([]);
  });

  it("naming only an order id does not attribute an order that comes after it", async () => {
    const p = await programOn(platform);
    const click = await insertClick(database.db, p.links[0]!, new Date(Date.now() - 60_000));
    await collect(
      p.origin,
      {
        store: p.store.id,
        id: "forged-2",
        type: "purchase",
        visitor_id: "attacker",
        order_id: "1002",
        click_ids: [click],
      },
      src,
    );
    // A wrong token next to the right order id is no better than none.
    await collect(
      p.origin,
      {
        store: p.store.id,
        id: "forged-3",
        type: "purchase",
        visitor_id: "attacker",
        order_id: "1002",
        ...genuine("guessed"),
        click_ids: [click],
      },
      src,
    );
    const placed = await order(p.store.id, "1002", `secret-${platform}-1002`);
    expect(placed.status).toBe("unattributed");
    expect(placed.commissions).toEqual([]);
  });

  it("with the buyer's own token attributes the order, whether it arrives before or after it", async () => {
    const p = await programOn(platform);
    const click = await insertClick(database.db, p.links[1]!, new Date(Date.now() - 60_000));
    const before = await order(p.store.id, "2001", `secret-${platform}-2001`);
    await collect(
      p.origin,
      {
        store: p.store.id,
        id: "genuine-1",
        type: "purchase",
        visitor_id: "buyer-1",
        order_id: "2001",
        ...genuine(`secret-${platform}-2001`),
        click_ids: [click],
      },
      src,
    );
    expect((await commissionsOf(before.conversionId)).map((c) => c.creatorId)).toEqual([p.creators[1]!.id]);

    await collect(
      p.origin,
      {
        store: p.store.id,
        id: "genuine-2",
        type: "purchase",
        visitor_id: "buyer-2",
        order_id: "2002",
        ...genuine(`secret-${platform}-2002`),
        click_ids: [click],
      },
      src,
    );
    const after = await order(p.store.id, "2002", `secret-${platform}-2002`);
    expect(after.status).toBe("attributed");
    expect(after.commissions.map((c) => c.creatorId)).toEqual([p.creators[1]!.id]);
  });
});

describe("a purchase resent while its first send is still in flight", () => {
  it("is stored once and pays once, however many copies race", async () => {
    const p = await programOn("shopify");
    const click = await insertClick(database.db, p.links[0]!, new Date(Date.now() - 60_000));
    const placed = await order(p.store.id, "3001", "secret-race-3001");
    const body = {
      store: p.store.id,
      id: "sh-race-1",
      type: "purchase",
      visitor_id: "buyer-race",
      order_id: "3001",
      checkout_token: "secret-race-3001",
      click_ids: [click],
    };
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${server.url}/collect`, {
          method: "POST",
          headers: { "content-type": "text/plain", origin: p.origin },
          // The pixel's resend carries the same id; a later copy may carry another timestamp.
          body: JSON.stringify({ ...body, occurred_at: new Date(Date.now() - (i % 2) * 1000).toISOString() }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    const stored = await Promise.all(answers.map(async (a) => (await a.json()).stored));
    // Every copy is acknowledged; exactly one of them is the one that stored it.
    expect(stored.reduce((x, y) => x + y, 0)).toBe(1);
    await app.idle();
    expect(await database.db.event.count({ where: { storeId: p.store.id, eventKey: "sh-race-1" } })).toBe(1);
    expect((await commissionsOf(placed.conversionId)).map((c) => c.creatorId)).toEqual([p.creators[0]!.id]);
  });
});

describe("POST /collect event ids", () => {
  it("refuses an id in the conversions API's namespace, which would shadow the server's own event", async () => {
    const p = await programOn("woocommerce");
    const res = await fetch(`${server.url}/collect`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: p.origin },
      body: JSON.stringify({ store: p.store.id, id: "api:purchase:1001", type: "page_view", visitor_id: "v" }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/^invalid request body: id:/);
  });
});
