export * from "./shopify-admin.ts";
export * from "./webhooks.ts";
