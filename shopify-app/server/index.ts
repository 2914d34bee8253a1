// What the process that serves the app needs: the Remix handler, the HTTP edges, the webhook receipt route and
// the database the app's loaders use.

export { storeDiscountGateways } from "../app/admin/store-discounts.server.ts";
export { provideDatabase } from "../app/db.server.ts";
export * from "./handler.ts";
export * from "./http-edges.ts";
export * from "./webhook-route.ts";
