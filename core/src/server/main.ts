// The tracking endpoints on their own: `npm start -w @trailmark/core`. `npm start` at the root serves
// them together with the Shopify app and the WooCommerce bridge.
import { createTrackingApp } from "../http/tracking-app.ts";
import { startRuntime } from "../runtime/index.ts";
import { serveFetch } from "./node-http.ts";
import { trackingNodeRoutes } from "./tracking-routes.ts";

const { env, database, stopOnSignals } = await startRuntime({ sweeps: ["approvals", "creator-mails"] });
const app = createTrackingApp({ database, collectRateLimit: env.COLLECT_RATE_LIMIT });
await app.start();
const server = await serveFetch(app.handler, {
  port: env.PORT,
  host: env.HOST,
  trustProxy: env.TRUST_PROXY,
  nodeRoutes: trackingNodeRoutes(app),
});
console.log(`trailmark tracking listening on ${server.url}`);

stopOnSignals(async () => {
  await server.close();
  await app.stop();
});
