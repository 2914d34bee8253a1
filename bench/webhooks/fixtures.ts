// What bench/webhooks/run.ts and cpu.ts share: the bench server, a seeded store and its signed deliveries.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createCampaign } from "@trailmark/core/campaigns";
import { createCreator } from "@trailmark/core/creators";
import type { Db } from "@trailmark/core/db";
import { insertRows } from "@trailmark/core/db";
import { createDiscountCode, createLink, newClickId } from "@trailmark/core/links";
import { createStore, updateStoreCredentials } from "@trailmark/core/stores";
import { numberedOrder, shopifyJson, webhookHeaders } from "@trailmark/shopify/testing";
import { phpJsonEncode, signWooBody, WOO_USER_AGENT, wooOrderPayload } from "@trailmark/woocommerce/testing";

export const SECRET = "bench-shopify-api-secret";
const WOO_SECRET = "bench-woo-webhook-secret";
const HOUR = 3_600_000;

export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function startServer(
  mode: "bare" | "receipt",
  databaseUrl?: string,
  extra: { env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [...(extra.nodeArgs ?? []), "--import", "tsx", "bench/webhooks/server.ts"], {
    env: {
      ...process.env,
      MODE: mode,
      SHOPIFY_API_SECRET: SECRET,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...extra.env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`bench server exited (${code})`)));
    createInterface({ input: proc.stdout! }).once("line", (line) =>
      resolve({ proc, url: (JSON.parse(line) as { url: string }).url }),
    );
  });
}

export async function seed(db: Db, platform: "shopify" | "woocommerce", orders: number) {
  const domain = platform === "shopify" ? "bench-shop.myshopify.com" : "bench-shop.example.com";
  const { store } = await createStore(db, { platform, domain, currency: "USD" });
  if (platform === "woocommerce") await updateStoreCredentials(db, store.id, { webhookSecret: WOO_SECRET });
  const campaign = await createCampaign(db, store.id, { name: "Bench", budgetCap: null });
  const creators: { creatorId: string; linkId: string; code: string }[] = [];
  for (let i = 0; i < 10; i++) {
    const creator = await createCreator(db, store.id, { name: `Creator ${i}` });
    const link = await createLink(db, store.id, {
      campaignId: campaign.id,
      creatorId: creator.id,
      destinationUrl: `https://${domain}/products/x`,
    });
    await createDiscountCode(db, store.id, { campaignId: campaign.id, creatorId: creator.id, code: `BENCH${i}` });
    creators.push({ creatorId: creator.id, linkId: link.id, code: `BENCH${i}` });
  }
  const clickAt = new Date(Date.now() - HOUR);
  const clicks = Array.from({ length: orders }, (_, n) => {
    const c = creators[n % creators.length]!;
    return {
      id: newClickId(),
      storeId: store.id,
      linkId: c.linkId,
      campaignId: campaign.id,
      creatorId: c.creatorId,
      visitorHash: `v-${n}`,
      qualification: "qualified",
      occurredAt: clickAt,
    };
  });
  for (let i = 0; i < clicks.length; i += 1000) await insertRows(db, "Click", clicks.slice(i, i + 1000));
  return {
    store,
    domain,
    clicks: clicks.map((c, n) => ({ clickId: c.id, code: creators[n % creators.length]!.code })),
  };
}

export function shopifyDeliveries(shop: string, clicks: { clickId: string; code: string }[]): Delivery[] {
  const createdAt = new Date().toISOString();
  return clicks.map(({ clickId, code }, n) => {
    const body = shopifyJson(numberedOrder(n, { clickId, code, createdAt }));
    return {
      path: "/webhooks/orders/create",
      headers: webhookHeaders({ topic: "orders/create", body, secret: SECRET, shop }),
      body: Buffer.from(body),
    };
  });
}

export function wooDeliveries(
  storeId: string,
  domain: string,
  clicks: { clickId: string; code: string }[],
): Delivery[] {
  const gmt = new Date().toISOString().slice(0, 19);
  return clicks.map(({ clickId, code }, n) => {
    const payload = wooOrderPayload({
      id: 10_000 + n,
      currency: "USD",
      total: "99.85",
      createdGmt: gmt,
      modifiedGmt: gmt,
      paidGmt: gmt,
      coupons: [{ code, discount: "9.99" }],
      storeUrl: `https://${domain}`,
      attribution: {
        source_type: "utm",
        referrer: "https://www.instagram.com/",
        utm_source: "instagram",
        utm_id: clickId,
        session_entry: `https://${domain}/product/merino-beanie/?utm_source=instagram&utm_id=${clickId}`,
      },
    });
    const body = Buffer.from(phpJsonEncode(payload));
    return {
      path: `/woocommerce/webhooks/${storeId}`,
      headers: {
        "user-agent": WOO_USER_AGENT,
        "content-type": "application/json",
        "x-wc-webhook-source": `https://${domain}/`,
        "x-wc-webhook-topic": "order.created",
        "x-wc-webhook-resource": "order",
        "x-wc-webhook-event": "created",
        "x-wc-webhook-id": "31",
        "x-wc-webhook-delivery-id": `d${n.toString(16).padStart(31, "0")}`,
        "x-wc-webhook-signature": signWooBody(body, WOO_SECRET),
      },
      body,
    };
  });
}
