export { type FetchHandler, type RunningServer, type ServeOptions, serveFetch } from "./node-http.ts";
export { type RedirectServer, type RedirectServerOptions, startRedirectServer } from "./redirect-server.ts";
