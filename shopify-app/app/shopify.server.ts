import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { installStore } from "@trailmark/shopify";
import { getDatabase } from "./db.server.ts";
import { getEnv } from "./env.server.ts";

// The one place that configures Shopify. Sessions live in core's database (its Session table), so the app and
// core share one database and one migration history.

/** The newest Admin API version @shopify/shopify-api 13 knows; the same as [webhooks] api_version in the toml. */
export const API_VERSION = ApiVersion.July26;
export const SCOPES = ["read_orders", "write_pixels", "read_customer_events", "write_discounts"];

const env = getEnv();
const { db } = getDatabase();

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  appUrl: env.SHOPIFY_APP_URL,
  apiVersion: API_VERSION,
  scopes: SCOPES,
  authPathPrefix: "/auth",
  distribution: AppDistribution.AppStore,
  isEmbeddedApp: true,
  // The session storage's types name @prisma/client's default client, which core does not generate; core's client
  // has the same Session model.
  sessionStorage: new PrismaSessionStorage(db as never),
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      await installStore({ db, shop: session.shop, graphql: admin.graphql, appUrl: env.SHOPIFY_APP_URL });
    },
  },
});

export default shopify;
export const authenticate = shopify.authenticate;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
