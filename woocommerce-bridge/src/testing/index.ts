export * from "./php-json.ts";
export * from "./woo-api.ts";
export * from "./woo-deliveries.ts";
export * from "./woo-orders.ts";
export * from "./woo-store.ts";
