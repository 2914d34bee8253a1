export { type FetchHandler, type NodeRoute, type RunningServer, type ServeOptions, serveFetch } from "./node-http.ts";
export { type RedirectServer, type RedirectServerOptions, startRedirectServer } from "./redirect-server.ts";
export { concurrencyGate, routedPath } from "./request-gate.ts";
export { redirectRoute, trackingNodeRoutes } from "./tracking-routes.ts";
