import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { RequestContext } from "../http/context.ts";
import { errorResponse } from "../http/error-response.ts";
import { AppError } from "../shared/errors.ts";

export type FetchHandler = (request: Request, ctx: RequestContext) => Promise<Response>;

export interface ServeOptions {
  port: number;
  host?: string;
  /** Behind a reverse proxy: take the client address from the first X-Forwarded-For entry. */
  trustProxy?: boolean;
}

export interface RunningServer {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

// Longer than the usual load balancer idle timeout (60 s) so the proxy, not us, closes idle keep-alive
// connections; otherwise a request can race our close and fail at the proxy.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function clientIpOf(req: http.IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    if (typeof forwarded === "string") {
      const comma = forwarded.indexOf(",");
      const first = (comma === -1 ? forwarded : forwarded.slice(0, comma)).trim();
      if (first !== "") return first;
    }
  }
  const address = req.socket.remoteAddress;
  if (address === undefined) return null;
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

function toRequest(req: http.IncomingMessage, trustProxy: boolean): Request {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const forwardedProto = trustProxy ? req.headers["x-forwarded-proto"] : undefined;
  const protocol = typeof forwardedProto === "string" ? forwardedProto.split(",")[0]!.trim() : encrypted ? "https" : "http";
  const target = req.url ?? "/";
  const url = target.startsWith("/") ? `${protocol}://${req.headers.host ?? "localhost"}${target}` : target;
  const raw = req.rawHeaders;
  const headers = new Headers();
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? "GET";
  // Per HTTP/1.1 a request has a body only with Content-Length or Transfer-Encoding; GET and HEAD never
  // get a stream, which keeps the common path free of stream set-up.
  const hasBody =
    method !== "GET" &&
    method !== "HEAD" &&
    (req.headers["transfer-encoding"] !== undefined ||
      (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0"));
  try {
    if (!hasBody) return new Request(url, { method, headers });
    return new Request(url, {
      method,
      headers,
      body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
      duplex: "half",
    } as RequestInit);
  } catch {
    throw new AppError("invalid", "malformed request target or host");
  }
}

function headersOf(response: Response): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") out[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
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

/** Serves a fetch-style handler over node:http. Never crashes on a handler error: it becomes a 500. */
export async function serveFetch(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const trustProxy = options.trustProxy ?? false;
  const server = http.createServer((req, res) => {
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
