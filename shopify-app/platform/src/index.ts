export * from "./compliance.ts";
export * from "./discounts.ts";
export * from "./install.ts";
export * from "./normalize-order.ts";
export * from "./pixel.ts";
export * from "./process-webhook.ts";
export * from "./shopify-json.ts";
export * from "./webhook-receipt.ts";
