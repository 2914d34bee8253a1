import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { type AdminProgram, seedAdminProgram } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { getStore } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import type { RequestHandler } from "msw";
import { type SetupServer, setupServer } from "msw/node";

// The built app served on loopback as the Shopify admin's iframe reaches it, for tests of the embedded admin (/app):
// the app's env set, MSW standing in for Shopify's Admin GraphQL (and any other third party the test names), and
// session tokens signed with the app's secret as the admin's iframe URL and App Bridge's fetches carry them.

export const APP_URL = "https://trailmark.test";
/** shopify-app-remix answers 410 to user agents it takes for bots, so requests come from a desktop Safari. */
export const BROWSER =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

export interface EmbeddedAppOptions {
  apiKey: string;
  secret: string;
  /** MSW handlers for the third-party APIs the app calls (shopifyAdminHandlers(fake), Stripe, ...). */
  handlers: RequestHandler[];
}

export interface EmbeddedApp {
  readonly url: string;
  readonly database: TestDatabase;
  readonly db: Db;
  readonly msw: SetupServer;
  /** The URL of a document as the Shopify admin's iframe opens it: the session token as id_token. */
  documentUrl(shop: string, path: string): Promise<string>;
  /** The request with a session token as App Bridge's fetch adds it: an Authorization Bearer header. */
  withSessionToken(shop: string, request: Request): Promise<Request>;
  /** A bare session token for the shop, as App Bridge's idToken() returns it. */
  sessionToken(shop: string): Promise<string>;
  close(): Promise<void>;
}

export async function startEmbeddedApp(options: EmbeddedAppOptions): Promise<EmbeddedApp> {
  const { apiKey, secret } = options;
  Object.assign(process.env, { SHOPIFY_API_KEY: apiKey, SHOPIFY_API_SECRET: secret, SHOPIFY_APP_URL: APP_URL });
  // MSW patches fetch before the app's Shopify library captures it; loopback requests pass through.
  const msw = setupServer(...options.handlers);
  msw.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname !== "127.0.0.1") print.error();
    },
  });
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  const close = async () => {
    await server?.close();
    msw.close();
    await database?.destroy();
  };
  try {
    database = await createTestDatabase();
    const { createShopifyAppHandler } = await import("../handler.ts");
    const handler = await createShopifyAppHandler({ database });
    server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
  } catch (error) {
    await close();
    throw error;
  }
  const url = server.url;
  const withSessionToken = (shop: string, request: Request) =>
    setUpValidRequest({ type: RequestType.Bearer, store: shop, apiKey, apiSecretKey: secret }, request);
  return {
    url,
    database,
    db: database.db,
    msw,
    async documentUrl(shop, path) {
      const request = await setUpValidRequest(
        { type: RequestType.Admin, store: shop, apiKey, apiSecretKey: secret },
        new Request(`${url}${path}`),
      );
      return request.url;
    },
    withSessionToken,
    async sessionToken(shop) {
      const request = await withSessionToken(shop, new Request(`${APP_URL}/app`));
      return request.headers.get("authorization")!.replace(/^Bearer /, "");
    },
    close,
  };
}

/** A seeded program on a Shopify store with a live offline session, so no token exchange is needed. */
export async function seedShopifyProgram(
  db: Db,
  shop: string,
  store: { minimumPayout?: number } = {},
): Promise<AdminProgram> {
  const program = await seedAdminProgram(db);
  const domain = `${shop}.myshopify.com`;
  await db.store.update({
    where: { id: program.store.id },
    data: { platform: "shopify", domain, name: shop, ...store },
  });
  await createOfflineSession(db, shop);
  return { ...program, store: (await getStore(db, program.store.id))! };
}

/** The offline session the app keeps after a shop's install, so its Admin API calls need no token exchange. */
export async function createOfflineSession(db: Db, shop: string): Promise<void> {
  const domain = `${shop}.myshopify.com`;
  await db.session.create({
    data: {
      id: `offline_${domain}`,
      shop: domain,
      state: "",
      isOnline: false,
      scope: "read_orders,write_pixels,read_customer_events,write_discounts",
      accessToken: `shpat_${shop}`,
      expires: new Date(Date.now() + 86_400_000),
    },
  });
}
