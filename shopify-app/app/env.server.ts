import { parseShopifyEnv, type ShopifyEnv } from "@trailmark/core/config";

// The Shopify app's section of the one environment schema (core/src/config/env.ts), parsed on first use.
export type Env = ShopifyEnv;
export const parseEnv = parseShopifyEnv;

let cached: Env | undefined;

/** The process's environment, parsed on first use. */
export function getEnv(): Env {
  cached ??= parseShopifyEnv();
  return cached;
}
