// The pixel's built bundle in a real Web Worker in Chromium, as Shopify's strict sandbox runs it: a worker with
// no DOM whose `browser` API reaches the page's localStorage and cookies asynchronously (here by postMessage to
// the page that started it, as the sandbox does), and whose `shopify.extend("WebPixel::Render", fn)` is what
// @shopify/web-pixels-extension's register() calls. The storefront page is served from its own origin; a page
// navigation ends the worker, as leaving a page ends the sandbox.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface WorkerPixelConfig {
  settings: Record<string, unknown>;
  /** init.customerPrivacy; null leaves it out (an old pixel manager, or no consent answer). */
  customerPrivacy: Record<string, boolean> | null;
}

// The sandbox side: the APIs a strict pixel gets, each storage call a round trip to the page.
const WORKER_SHIM = `
const __calls = new Map();
let __seq = 0;
const __call = (op, args) => new Promise((resolve) => {
  const id = ++__seq;
  __calls.set(id, resolve);
  postMessage({ type: "storage", id, op, args });
});
const __subscribers = new Map();
self.onmessage = async (message) => {
  const data = message.data;
  if (data.type === "storage-result") {
    __calls.get(data.id)(data.value);
    __calls.delete(data.id);
  } else if (data.type === "emit") {
    await Promise.all((__subscribers.get(data.name) || []).map((callback) => callback(data.event)));
    postMessage({ type: "emitted", token: data.token });
  }
};
const __config = self.__pixelConfig;
self.shopify = {
  extend(point, render) {
    render({
      settings: __config.settings,
      analytics: {
        subscribe(name, callback) {
          __subscribers.set(name, [...(__subscribers.get(name) || []), callback]);
          return () => true;
        },
      },
      browser: {
        cookie: { get: (name) => __call("cookieGet", [name]), set: (...args) => __call("cookieSet", args) },
        localStorage: {
          getItem: (key) => __call("getItem", [key]),
          setItem: (key, value) => __call("setItem", [key, String(value)]),
          removeItem: (key) => __call("removeItem", [key]),
        },
        sessionStorage: {},
      },
      init: {
        context: { document: { location: { href: __config.href } } },
        data: { customer: null, cart: null, shop: null },
        ...(__config.customerPrivacy ? { customerPrivacy: __config.customerPrivacy } : {}),
      },
      customerPrivacy: { subscribe: () => () => true },
    });
  },
};
`;

// The page side: starts the worker, answers its storage calls from the page's own storage, and lets the test
// deliver events (window.emitPixelEvent resolves once every handler of the event has finished).
const PAGE_SCRIPT = `
const waiters = new Map();
const worker = new Worker("/pixel-worker.js" + location.search);
const readCookie = (name) => {
  const pair = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return pair ? decodeURIComponent(pair.slice(name.length + 1)) : "";
};
worker.onmessage = (message) => {
  const data = message.data;
  if (data.type === "emitted") {
    waiters.get(data.token)();
    waiters.delete(data.token);
    return;
  }
  let value = null;
  const [a, b] = data.args;
  if (data.op === "getItem") value = localStorage.getItem(a);
  else if (data.op === "setItem") localStorage.setItem(a, b);
  else if (data.op === "removeItem") localStorage.removeItem(a);
  else if (data.op === "cookieGet") value = readCookie(a);
  else if (data.op === "cookieSet") document.cookie = b === undefined ? a : a + "=" + b;
  worker.postMessage({ type: "storage-result", id: data.id, value });
};
let tokens = 0;
window.emitPixelEvent = (name, event) => new Promise((resolve) => {
  const token = ++tokens;
  waiters.set(token, resolve);
  worker.postMessage({ type: "emit", name, event, token });
});
`;

export interface Storefront {
  /** http://<host>:<port>, the origin pages are served from. */
  origin(host: string): string;
  close(): Promise<void>;
}

/**
 * Serves storefront pages on loopback: any path answers a page whose worker runs `bundle` with the config
 * the `config` function gives for the page's query (?pixel=<key>).
 */
export async function serveStorefront(bundle: string, config: (key: string) => WorkerPixelConfig): Promise<Storefront> {
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://storefront.invalid");
    if (url.pathname === "/pixel-worker.js") {
      const page = request.headers.referer ?? "";
      const chosen = config(url.searchParams.get("pixel") ?? "");
      const prelude = `self.__pixelConfig = ${JSON.stringify({ ...chosen, href: page })};\n`;
      response.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      response.end(prelude + WORKER_SHIM + bundle);
      return;
    }
    if (url.pathname === "/favicon.ico") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    response.end(`<!doctype html><html><head><title>Storefront</title></head><body><h1>Shop</h1>
<script>${PAGE_SCRIPT}</script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: (host) => `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
