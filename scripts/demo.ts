// `npm run demo`: a living program a minute after cloning. Seeds a demo WooCommerce store (two campaigns, five
// creators with links, two discount codes, an owner account), plays a week of traffic through the real endpoint
// handlers (tracking-link clicks with bots and repeats, page views and sign-ups on /collect, orders as signed
// WooCommerce webhooks through the bridge and its inbox, a cancellation and a refund), then serves everything as
// `npm start` does and prints where to sign in. Runs on its own database (data/demo.db unless DATABASE_URL says
// otherwise); run again, it keeps the store it made.
import { createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createOwner } from "@trailmark/core/admin";
import { createCampaign } from "@trailmark/core/campaigns";
import { createClickRecorder, createLinkCache } from "@trailmark/core/clicks";
import { EnvSchema, parseEnv } from "@trailmark/core/config";
import { approveDueCommissions } from "@trailmark/core/conversions";
import { createCreator } from "@trailmark/core/creators";
import type { Database } from "@trailmark/core/db";
import { openRuntimeDatabase } from "@trailmark/core/db";
import { createEventWriter } from "@trailmark/core/events";
import {
  createCollectHandler,
  createCollectResolver,
  createRateLimiter,
  createRedirectHandler,
  createRedirectResolver,
} from "@trailmark/core/http";
import { createInboxWorker } from "@trailmark/core/inbox";
import { createDiscountCode, createLink } from "@trailmark/core/links";
import { createStore, findStoreByDomain, updateStoreCredentials } from "@trailmark/core/stores";
import { createWooBridgeHandler, createWooDeliveryHandler } from "@trailmark/woocommerce";

export const DEMO_DOMAIN = "demo-tea.example.com";
export const DEMO_OWNER = { email: "owner@demo-tea.example.com", password: "trailmark demo password" };
const STORE_URL = `https://${DEMO_DOMAIN}`;
const MINUTE = 60_000;
const DAY = 86_400_000;

const BROWSERS = [
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
];
const BOTS = [
  "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
];
const PRODUCTS = [
  ["green-tea-sampler", "24.00"],
  ["matcha-starter-kit", "59.00"],
  ["oolong-tin", "18.50"],
  ["tea-subscription", "39.00"],
] as const;

/** The same pseudo-random week on every run. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The item whose share of the total weight `point` falls in. */
function weighted<T extends { weight: number }>(items: readonly T[], point: number): T {
  let rest = point;
  for (const item of items) {
    rest -= item.weight;
    if (rest < 0) return item;
  }
  return items[items.length - 1]!;
}

function gmt(at: number): string {
  return new Date(at).toISOString().slice(0, 19);
}

interface PlayedOrder {
  id: number;
  total: string;
  created: number;
  landing: string | null;
  coupon: string | null;
  email: string;
}

/** A WooCommerce order as its webhook carries it (the fields the bridge reads). */
function wooOrder(order: PlayedOrder, status: string, modified: number, refunds: { id: number; total: string }[] = []) {
  const meta = order.landing
    ? [
        { id: 1, key: "_wc_order_attribution_source_type", value: "utm" },
        { id: 2, key: "_wc_order_attribution_session_entry", value: order.landing },
        { id: 3, key: "_wc_order_attribution_utm_source", value: "trailmark" },
      ]
    : [];
  return {
    id: order.id,
    status,
    currency: "USD",
    total: order.total,
    number: String(order.id),
    order_key: `wc_order_demo${order.id}`,
    date_created_gmt: gmt(order.created),
    date_modified_gmt: gmt(modified),
    date_paid_gmt: status === "pending" ? null : gmt(order.created + MINUTE),
    billing: { email: order.email },
    customer_id: 0,
    meta_data: meta,
    coupon_lines: order.coupon ? [{ id: 1, code: order.coupon, discount: "5.00" }] : [],
    refunds: refunds.map((r) => ({ id: r.id, total: r.total, reason: "demo" })),
    line_items: [],
  };
}

function wooWebhook(storeId: string, secret: string, topic: string, payload: unknown): Request {
  const body = JSON.stringify(payload).replace(/\//g, "\\/");
  const [resource, event] = topic.split(".");
  return new Request(`http://127.0.0.1/woocommerce/webhooks/${storeId}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)",
      "x-wc-webhook-source": `${STORE_URL}/`,
      "x-wc-webhook-topic": topic,
      "x-wc-webhook-resource": resource ?? "",
      "x-wc-webhook-event": event ?? "",
      "x-wc-webhook-id": "31",
      "x-wc-webhook-delivery-id": randomBytes(16).toString("hex"),
      "x-wc-webhook-signature": createHmac("sha256", secret).update(body).digest("base64"),
    },
  });
}

export async function seedDemo(database: Database, log: (m: string) => void = console.log) {
  const { db } = database;
  const existing = await findStoreByDomain(db, "woocommerce", DEMO_DOMAIN);
  if (existing) {
    log(`demo store ${existing.id} is already there; keeping it`);
    return existing.id;
  }
  const rand = random(7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  const { store } = await createStore(db, {
    platform: "woocommerce",
    domain: DEMO_DOMAIN,
    currency: "USD",
    name: "Demo Tea Co.",
  });
  // Webhooks only: no REST keys, so the reconciliation poller leaves this made-up shop alone.
  const secret = randomBytes(32).toString("base64url");
  await updateStoreCredentials(db, store.id, {
    url: STORE_URL,
    webhookSecret: secret,
    connectedAt: new Date().toISOString(),
  });
  await createOwner(db, store.id, DEMO_OWNER.email, DEMO_OWNER.password);
  const spring = await createCampaign(db, store.id, {
    name: "Spring launch",
    goals: ["purchase", "sign_up"],
    attributionModel: "last_click",
    commissionRules: { purchase: { type: "percentage", basisPoints: 1000 }, sign_up: { type: "flat", amount: 200 } },
    holdingDays: 3,
    budgetCap: 50_000,
  });
  const evergreen = await createCampaign(db, store.id, {
    name: "Evergreen",
    goals: ["purchase"],
    attributionModel: "linear",
    commissionRules: { purchase: { type: "percentage", basisPoints: 800 } },
  });
  const people = [
    { name: "Ada Brewer", email: "ada@creators.example.com", weight: 5, campaign: spring },
    { name: "Ben Leaf", email: "ben@creators.example.com", weight: 3, campaign: spring },
    { name: "Cy Matcha", email: "cy@creators.example.com", weight: 2, campaign: spring },
    { name: "Dee Oolong", email: "dee@creators.example.com", weight: 2, campaign: evergreen },
    { name: "Eve Chai", email: "eve@creators.example.com", weight: 1, campaign: evergreen },
  ];
  const creators = [];
  for (const p of people) {
    const creator = await createCreator(db, store.id, { name: p.name, email: p.email });
    const link = await createLink(db, store.id, {
      campaignId: p.campaign.id,
      creatorId: creator.id,
      destinationUrl: `${STORE_URL}/products/${pick(PRODUCTS)[0]}`,
      code: `${p.name.split(" ")[0]!.toLowerCase()}-tea`,
    });
    creators.push({ ...p, creator, link });
  }
  await createDiscountCode(db, store.id, { campaignId: spring.id, creatorId: creators[0]!.creator.id, code: "ADA10" });
  await createDiscountCode(db, store.id, {
    campaignId: evergreen.id,
    creatorId: creators[3]!.creator.id,
    code: "DEE15",
  });
  log(`demo store ${store.id}: 2 campaigns, ${creators.length} creators with links, 2 discount codes`);

  // The real handlers, on a clock that walks through the week.
  let now = 0;
  const recorder = createClickRecorder({ db, provider: database.provider, now: () => new Date(now), redis: null });
  await recorder.start();
  const redirect = createRedirectHandler(createRedirectResolver({ links: createLinkCache({ db }), recorder }));
  const writer = createEventWriter(db);
  const collect = createCollectHandler(
    createCollectResolver({
      db,
      writer,
      rateLimiter: createRateLimiter({ name: "demo", limit: 1_000_000, windowMs: 60_000, redis: null }),
      now: () => new Date(now),
    }),
  );
  const worker = createInboxWorker({ db, handlers: { woocommerce: createWooDeliveryHandler({ db }) }, log: () => {} });
  const bridge = createWooBridgeHandler({ db, worker });

  const end = Date.now() - 10 * MINUTE;
  const start = Math.floor((end - 6 * DAY) / DAY) * DAY;
  const orders: PlayedOrder[] = [];
  let nextOrder = 1001;
  let visitors = 0;
  let clicks = 0;
  const totalWeight = people.reduce((s, p) => s + p.weight, 0);
  for (let day = start; day < end; day += DAY) {
    const arrivals = 60 + Math.floor(rand() * 40);
    for (let i = 0; i < arrivals; i++) {
      const at = day + 8 * 3_600_000 + Math.floor(rand() * 14 * 3_600_000);
      if (at > end) continue;
      now = at;
      const who = weighted(creators, rand() * totalWeight);
      const bot = rand() < 0.06;
      const ip = `198.51.100.${(visitors++ % 250) + 1}`;
      const userAgent = bot ? pick(BOTS) : pick(BROWSERS);
      const clickUrl = `http://127.0.0.1/c/${who.link.code}`;
      const referer = rand() < 0.6 ? "https://www.instagram.com/" : "https://www.youtube.com/";
      const response = await redirect(new Request(clickUrl, { headers: { "user-agent": userAgent, referer } }), {
        clientIp: ip,
      });
      clicks++;
      // Some visitors click twice: the second is a repeat, not a new visitor.
      if (!bot && rand() < 0.12) {
        now = at + 5 * MINUTE;
        await redirect(new Request(clickUrl, { headers: { "user-agent": userAgent, referer } }), { clientIp: ip });
        clicks++;
      }
      if (bot) continue;
      const landing = response.headers.get("location");
      const clickId = landing ? new URL(landing).searchParams.get("tm_click") : null;
      if (!landing || !clickId) continue;
      const visitor = `demo-visitor-${visitors}`;
      const events: Record<string, unknown>[] = [
        {
          id: `pv-${visitors}-1`,
          type: "page_view",
          visitor_id: visitor,
          click_ids: [clickId],
          url: landing,
          occurred_at: new Date(at + 2000).toISOString(),
        },
      ];
      if (rand() < 0.5) {
        events.push({
          id: `pv-${visitors}-2`,
          type: "page_view",
          visitor_id: visitor,
          click_ids: [clickId],
          url: `${STORE_URL}/products/${pick(PRODUCTS)[0]}`,
          occurred_at: new Date(at + 90_000).toISOString(),
        });
      }
      if (who.campaign === spring && rand() < 0.08) {
        events.push({
          id: `su-${visitors}`,
          type: "sign_up",
          visitor_id: visitor,
          click_ids: [clickId],
          customer: `fan${visitors}@example.org`,
          occurred_at: new Date(at + 4 * MINUTE).toISOString(),
        });
      }
      now = at + 5 * MINUTE;
      await collect(
        new Request("http://127.0.0.1/collect", {
          method: "POST",
          headers: { "content-type": "application/json", origin: STORE_URL },
          body: JSON.stringify({ store: store.id, events }),
        }),
        { clientIp: ip },
      );
      if (rand() < 0.07) {
        const [, price] = pick(PRODUCTS);
        orders.push({
          id: nextOrder++,
          total: price,
          created: Math.min(end, at + 8 * MINUTE),
          landing,
          coupon: null,
          email: `buyer${visitors}@example.org`,
        });
      }
    }
    // A few buyers type a creator's code at checkout without having clicked.
    for (const code of ["ADA10", "DEE15"]) {
      if (rand() < 0.6) {
        const created = Math.min(end, day + 12 * 3_600_000 + Math.floor(rand() * 6 * 3_600_000));
        orders.push({
          id: nextOrder++,
          total: pick(PRODUCTS)[1],
          created,
          landing: null,
          coupon: code,
          email: `coupon${nextOrder}@example.org`,
        });
      }
    }
  }
  await writer.idle();

  // Orders arrive as WooCommerce sends them: order.created, then paid and completed as order.updated.
  for (const order of orders) {
    await bridge(wooWebhook(store.id, secret, "order.created", wooOrder(order, "processing", order.created + MINUTE)), {
      clientIp: "192.0.2.10",
    });
  }
  const cancelled = orders[2];
  const refunded = orders[5];
  if (cancelled) {
    await bridge(
      wooWebhook(
        store.id,
        secret,
        "order.updated",
        wooOrder(cancelled, "cancelled", cancelled.created + 3 * 3_600_000),
      ),
      { clientIp: "192.0.2.10" },
    );
  }
  if (refunded) {
    const refund = [{ id: 9001, total: "-10.00" }];
    await bridge(
      wooWebhook(store.id, secret, "order.updated", wooOrder(refunded, "processing", refunded.created + DAY, refund)),
      { clientIp: "192.0.2.10" },
    );
  }
  while ((await worker.drain()) > 0) {}
  // Spring's three-day holding period has passed for the week's first commissions.
  await approveDueCommissions(db, new Date(), store.id);
  await recorder.stop();
  log(
    `played a week: ${clicks} clicks, ${visitors} visitors, ${orders.length} orders (one cancelled, one partly refunded)`,
  );
  return store.id;
}

/** Whether PORT can be listened on, asked before seeding so a busy port fails in a second, not after a minute. */
export function portIsFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const probe = createServer();
    probe.once("error", () => resolvePromise(false));
    probe.listen({ port, host }, () => probe.close(() => resolvePromise(true)));
  });
}

// Run as a script: seed, then serve everything as npm start does.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.env.DATABASE_URL ||= "file:./data/demo.db";
  const env = parseEnv(EnvSchema);
  if (!(await portIsFree(env.PORT, env.HOST))) {
    console.error(
      `Port ${env.PORT} is already in use. Stop what listens there or choose another: PORT=3100 npm run demo`,
    );
    process.exit(1);
  }
  const database = await openRuntimeDatabase(env.DATABASE_URL);
  await seedDemo(database);
  await database.close();
  await import("./start.ts");
  const port = env.PORT;
  console.log(
    [
      "",
      `Demo admin: http://localhost:${port}/admin`,
      `  sign in as ${DEMO_OWNER.email} with the password "${DEMO_OWNER.password}"`,
      `Creator portal: http://localhost:${port}/portal`,
      "  sign in as ada@creators.example.com (or ben@, cy@ …); without SMTP_URL the sign-in link is printed in this log",
      "",
    ].join("\n"),
  );
}
