import http from "node:http";
import { type AddressInfo, isIP } from "node:net";
import { type InspectOptions, inspect } from "node:util";
import type { HttpAnswer } from "../http/answer.ts";
import { tooLarge } from "../http/body.ts";
import type { RequestContext } from "../http/context.ts";
import { errorAnswer, errorResponse } from "../http/error-response.ts";
import { AppError } from "../shared/errors.ts";
import type { RequestGate } from "./request-gate.ts";

export type FetchHandler = (request: Request, ctx: RequestContext) => Promise<Response>;

export interface ServeOptions {
  port: number;
  host?: string;
  /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry (the proxy's). */
  trustProxy?: boolean;
  /** Paths answered on node:http directly, before the fetch handler (see NodeRoute). */
  nodeRoutes?: readonly NodeRoute[];
  /** Bounds on requests to the fetch handler, refused on node:http past them (see RequestGate). */
  gates?: readonly RequestGate[];
}

/**
 * A route served on node:http's own request and response, for the hottest paths only (the tracking-link
 * redirect and the collector): building a fetch Request and Response, and reading a body through web
 * streams, costs about as much CPU as everything else they do apart from the database write. Their logic
 * stays server-neutral (an HttpAnswer); the route only adapts it.
 */
export interface NodeRoute {
  /** Whether a request target ("/c/abc?x=1") is the route's. */
  matches(target: string): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): Promise<void>;
}

export interface RunningServer {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

// Longer than the usual load balancer idle timeout (60 s) so the proxy, not us, closes idle keep-alive
// connections; otherwise a request can race our close and fail at the proxy.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * The client's address. Behind a trusted proxy: the right-most X-Forwarded-For entry, the one our proxy
 * appended; everything left of it was sent by the client and is whatever the client chose to claim.
 */
export function clientIpOf(req: http.IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    if (typeof forwarded === "string") {
      const last = forwarded.slice(forwarded.lastIndexOf(",") + 1).trim();
      if (isIP(last) !== 0) return unmapped(last);
    }
  }
  const address = req.socket.remoteAddress;
  if (address === undefined) return null;
  return unmapped(address);
}

function unmapped(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

// A host header is only copied into request.url; anything that would not parse as a host is replaced.
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

function urlOf(req: http.IncomingMessage, trustProxy: boolean): string {
  const target = req.url ?? "/";
  if (!target.startsWith("/")) return target;
  const forwardedProto = trustProxy ? req.headers["x-forwarded-proto"] : undefined;
  const protocol =
    typeof forwardedProto === "string"
      ? forwardedProto.split(",")[0]!.trim() === "https"
        ? "https"
        : "http"
      : (req.socket as { encrypted?: boolean }).encrypted === true
        ? "https"
        : "http";
  const host = req.headers.host;
  return `${protocol}://${host !== undefined && HOST.test(host) ? host : "localhost"}${target}`;
}

/** Writes a complete answer in one piece, with its Content-Length rather than chunked. */
export function writeAnswer(res: http.ServerResponse, answer: HttpAnswer): void {
  lingerIfAbandoned(res.req, res);
  if (answer.body === null) {
    res.writeHead(answer.status, answer.headers);
    res.end();
    return;
  }
  res.setHeader("content-length", Buffer.byteLength(answer.body));
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

/**
 * The body of a node:http request as its exact bytes (the webhook receipt verifies signatures over them), capped
 * like readBodyBytes: a declared Content-Length over the cap fails before reading, and a body that grows past it
 * is drained and thrown away rather than buffered (see lingerIfAbandoned).
 */
export function readNodeBodyBytes(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) {
    abandon(req);
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        cleanup();
        abandon(req);
        reject(tooLarge(maxBytes));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** The body of a node:http request as UTF-8 text, capped like readNodeBodyBytes. */
export function readNodeBodyText(req: http.IncomingMessage, maxBytes: number): Promise<string> {
  return readNodeBodyBytes(req, maxBytes).then(utf8);
}

const utf8 = (bytes: Buffer) => bytes.toString("utf8");

function abandon(req: http.IncomingMessage): void {
  abandoned.add(req);
  req.resume();
}

function headersFrom(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

// Requests whose body a handler stopped reading (e.g. past its size limit): the rest is read and thrown away
// rather than the socket destroyed, so the client still receives the answer (a 413). Closing the socket while
// the client is still sending would reset the connection, and a reset can lose the answer before the client
// reads it; so the connection stays open while the rest arrives, and is cut LINGER_MS after the answer if the
// body has still not ended (a client declaring 50 MB and sending a trickle holds nothing longer than that).
const abandoned = new WeakSet<http.IncomingMessage>();
const LINGER_MS = 3_000;

function lingerIfAbandoned(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (!abandoned.has(req)) return;
  const socket = req.socket;
  res.once("finish", () => {
    if (req.complete) return;
    const timer = setTimeout(() => {
      if (!req.complete) socket.destroy();
    }, LINGER_MS);
    timer.unref();
    req.once("end", () => clearTimeout(timer));
  });
}

function bodyStream(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  // Once the reader cancels (a body over its limit) or the stream ends, the request's later events must not
  // touch the controller: closing or erroring a cancelled stream throws ERR_INVALID_STATE, and thrown from an
  // event listener that would take the whole process down.
  let settled = false;
  const onData = (controller: ReadableStreamDefaultController<Uint8Array>) => (chunk: Buffer) => {
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  let listeners: { data: (chunk: Buffer) => void; end: () => void; error: (error: Error) => void } | null = null;
  const detach = () => {
    settled = true;
    if (listeners === null) return;
    req.off("data", listeners.data);
    req.off("end", listeners.end);
    req.off("error", listeners.error);
    listeners = null;
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        listeners = {
          data: onData(controller),
          end: () => {
            if (settled) return;
            detach();
            controller.close();
          },
          error: (error) => {
            if (settled) return;
            detach();
            controller.error(error);
          },
        };
        req.on("data", listeners.data);
        req.on("end", listeners.end);
        req.on("error", listeners.error);
        req.pause();
      },
      pull() {
        if (!settled) req.resume();
      },
      cancel() {
        detach();
        abandon(req);
      },
    },
    { highWaterMark: 16 * 1024, size: (chunk) => chunk.byteLength },
  );
}

function buildRequest(req: http.IncomingMessage, url: string, headers: Headers): Request {
  const method = req.method ?? "GET";
  // Per HTTP/1.1 a request has a body only with Content-Length or Transfer-Encoding; GET and HEAD never do.
  const hasBody =
    method !== "GET" &&
    method !== "HEAD" &&
    (req.headers["transfer-encoding"] !== undefined ||
      (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0"));
  try {
    if (!hasBody) return new Request(url, { method, headers });
    const body = bodyStream(req);
    return new Request(url, { method, headers, body, duplex: "half" } as RequestInit);
  } catch {
    throw new AppError("invalid", "malformed request target");
  }
}

// Constructing a fetch Request costs ~6 µs (URL parsing, an AbortController, header validation), as much
// as the rest of a redirect. Handlers mostly read method, url and a few headers, so the adapter hands them
// an object whose prototype chain includes Request.prototype (instanceof Request holds) and which answers
// those three itself; the first use of anything else (body, json(), signal, clone(), …) builds the real
// Request once and delegates to it.
const kReal = Symbol("real request");

class IncomingRequest {
  readonly #incoming: http.IncomingMessage;
  readonly #url: string;
  #headers: Headers | undefined;
  #real: Request | undefined;

  constructor(incoming: http.IncomingMessage, url: string) {
    this.#incoming = incoming;
    this.#url = url;
  }

  get url(): string {
    return this.#url;
  }

  get method(): string {
    return this.#incoming.method ?? "GET";
  }

  get headers(): Headers {
    this.#headers ??= headersFrom(this.#incoming.rawHeaders);
    return this.#headers;
  }

  [kReal](): Request {
    this.#real ??= buildRequest(this.#incoming, this.#url, this.headers);
    return this.#real;
  }

  [inspect.custom](depth: number, options: InspectOptions): string {
    return inspect(this[kReal](), { ...options, depth });
  }
}

Object.setPrototypeOf(IncomingRequest.prototype, Request.prototype);
for (const name of Object.getOwnPropertyNames(Request.prototype)) {
  if (name === "constructor" || Object.hasOwn(IncomingRequest.prototype, name)) continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, name)!;
  if (typeof descriptor.value === "function") {
    Object.defineProperty(IncomingRequest.prototype, name, {
      value(this: IncomingRequest, ...args: unknown[]) {
        const real = this[kReal]() as unknown as Record<string, (...a: unknown[]) => unknown>;
        return real[name]!(...args);
      },
    });
  } else if (descriptor.get !== undefined) {
    Object.defineProperty(IncomingRequest.prototype, name, {
      get(this: IncomingRequest) {
        return (this[kReal]() as unknown as Record<string, unknown>)[name];
      },
    });
  }
}

function toRequest(req: http.IncomingMessage, trustProxy: boolean): Request {
  return new IncomingRequest(req, urlOf(req, trustProxy)) as unknown as Request;
}

// Headers iterate with names lower-cased and each Set-Cookie as an entry of its own.
function headersOf(response: Response): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  let cookies: string[] | undefined;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") out[name] = value;
    else if (cookies === undefined) cookies = [value];
    else cookies.push(value);
  }
  if (cookies !== undefined) out["set-cookie"] = cookies;
  return out;
}

function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

async function writeResponse(response: Response, res: http.ServerResponse): Promise<void> {
  const headers = headersOf(response);
  const body = response.body;
  if (body === null) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  // A string or byte body arrives as one chunk: read it and the end, and send both with a
  // Content-Length in one write instead of chunked encoding. Longer bodies are streamed with backpressure.
  const reader = body.getReader();
  const first = await reader.read();
  if (first.done) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const second = await reader.read();
  if (second.done) {
    if (headers["content-length"] === undefined && headers["transfer-encoding"] === undefined) {
      headers["content-length"] = first.value.byteLength;
    }
    res.writeHead(response.status, headers);
    res.end(first.value);
    return;
  }
  res.writeHead(response.status, headers);
  let chunk: Uint8Array | undefined = first.value;
  let next: ReadableStreamReadResult<Uint8Array> = second;
  for (;;) {
    if (res.destroyed) {
      await reader.cancel().catch(() => {});
      return;
    }
    if (!res.write(chunk)) await drained(res);
    if (next.done) break;
    chunk = next.value;
    next = await reader.read();
  }
  res.end();
}

async function handle(handler: FetchHandler, trustProxy: boolean, req: http.IncomingMessage, res: http.ServerResponse) {
  let response: Response;
  try {
    response = await handler(toRequest(req, trustProxy), { clientIp: clientIpOf(req, trustProxy) });
  } catch (error) {
    response = errorResponse(error);
  }
  // A body the handler answered without reading (a declared Content-Length over its limit, a refusal before
  // reading) is let go of like one it stopped reading.
  if (!req.complete && !abandoned.has(req)) {
    req.removeAllListeners("data");
    abandon(req);
  }
  lingerIfAbandoned(req, res);
  try {
    await writeResponse(response, res);
  } catch (error) {
    // Headers may be out already; all that is left is to cut the connection so the client sees an error.
    if (!res.headersSent) {
      const fallback = errorResponse(error);
      await writeResponse(fallback, res).catch(() => res.destroy());
    } else res.destroy();
  }
}

async function handleNode(route: NodeRoute, trustProxy: boolean, req: http.IncomingMessage, res: http.ServerResponse) {
  try {
    await route.handle(req, res, { clientIp: clientIpOf(req, trustProxy) });
  } catch (error) {
    if (res.headersSent) res.destroy();
    else writeAnswer(res, errorAnswer(error));
  }
}

/** Serves a fetch-style handler over node:http. Never crashes on a handler error: it becomes a 500. */
export async function serveFetch(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const trustProxy = options.trustProxy ?? false;
  const nodeRoutes = options.nodeRoutes ?? [];
  const gates = options.gates ?? [];
  const server = http.createServer((req, res) => {
    const target = req.url ?? "/";
    for (const route of nodeRoutes) {
      if (route.matches(target)) {
        void handleNode(route, trustProxy, req, res);
        return;
      }
    }
    const method = req.method ?? "GET";
    for (const gate of gates) {
      if (!gate.matches(method, target)) continue;
      const release = gate.enter();
      if (release === null) {
        // The body is never read: drained and thrown away behind the answer (see lingerIfAbandoned).
        abandon(req);
        writeAnswer(res, gate.refusal);
        return;
      }
      void handle(handler, trustProxy, req, res).finally(release);
      return;
    }
    void handle(handler, trustProxy, req, res);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const unspecified = address.address === "::" || address.address === "0.0.0.0";
  const host = unspecified ? "127.0.0.1" : address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
