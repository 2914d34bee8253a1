export * from "./env.ts";
export {
  DEFAULT_RECONCILE_INTERVAL_MS,
  type Env,
  EnvSchema,
  parseEnv,
  parseShopifyEnv,
  publicUrlOf,
  type ShopifyEnv,
} from "./env.ts";
