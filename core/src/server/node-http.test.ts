import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readBodyText } from "../http/body.ts";
import type { RequestContext } from "../http/context.ts";
import {
  type FetchHandler,
  type NodeRoute,
  type RunningServer,
  readNodeBodyText,
  serveFetch,
  writeAnswer,
} from "./node-http.ts";
import { concurrencyGate, routedPath } from "./request-gate.ts";

let running: RunningServer | null = null;

afterEach(async () => {
  await running?.close();
  running = null;
});

async function serve(handler: FetchHandler, trustProxy = false): Promise<string> {
  running = await serveFetch(handler, { port: 0, host: "127.0.0.1", trustProxy });
  return running.url;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// node:http rather than fetch, to see the wire: Content-Length vs chunked, repeated headers.
function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? "GET", headers: init.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

// A body sent in 16 KB chunks without a Content-Length, so the server only learns its size by reading it.
function sendChunked(url: string, bytes: number) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    const chunk = "x".repeat(16 * 1024);
    for (let sent = 0; sent < bytes; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

describe("serveFetch", () => {
  it("passes method, URL, headers and client address to the handler", async () => {
    let seen: { method: string; url: string; ua: string | null; ctx: RequestContext } | null = null;
    const url = await serve(async (request, ctx) => {
      seen = { method: request.method, url: request.url, ua: request.headers.get("user-agent"), ctx };
      return new Response(null, { status: 204 });
    });
    const response = await send(`${url}/c/abc?x=1`, { headers: { "user-agent": "test-agent" } });
    expect(response.status).toBe(204);
    expect(seen).toEqual({ method: "GET", url: `${url}/c/abc?x=1`, ua: "test-agent", ctx: { clientIp: "127.0.0.1" } });
  });

  it("takes the client address from the entry our proxy appended to X-Forwarded-For, only behind a trusted proxy", async () => {
    const ips: (string | null)[] = [];
    const handler: FetchHandler = async (_request, ctx) => {
      ips.push(ctx.clientIp);
      return new Response("ok");
    };
    // The client sent "203.0.113.5" itself to choose its rate-limit key; the proxy appended the real address.
    const headers = { "x-forwarded-for": "203.0.113.5, 198.51.100.7" };
    const trusted = await serve(handler, true);
    await send(trusted, { headers });
    await send(trusted, { headers: { "x-forwarded-for": "198.51.100.8" } });
    await send(trusted, { headers: { "x-forwarded-for": "1.2.3.4, not-an-address" } });
    await running!.close();
    await send(await serve(handler, false), { headers });
    expect(ips).toEqual(["198.51.100.7", "198.51.100.8", "127.0.0.1", "127.0.0.1"]);
  });

  it("hands the handler a Request that behaves like one beyond method, url and headers", async () => {
    let seen: unknown = null;
    const url = await serve(async (request) => {
      const copy = request.clone();
      seen = {
        isRequest: request instanceof Request,
        json: await request.json(),
        bodyUsed: request.bodyUsed,
        copy: await copy.text(),
        aborted: request.signal.aborted,
        contentType: request.headers.get("content-type"),
      };
      return new Response(null, { status: 204 });
    });
    await send(`${url}/x`, { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } });
    expect(seen).toEqual({
      isRequest: true,
      json: { a: 1 },
      bodyUsed: true,
      copy: '{"a":1}',
      aborted: false,
      contentType: "application/json",
    });
  });

  it("does not copy a malformed Host header into the request URL", async () => {
    let seen = "";
    const url = await serve(async (request) => {
      seen = request.url;
      return new Response(null, { status: 204 });
    });
    await send(`${url}/c/abc`, { headers: { host: "evil.example/x?" } });
    expect(seen).toBe("http://localhost/c/abc");
  });

  it("streams a request body to the handler", async () => {
    const url = await serve(async (request) => new Response(`got ${await readBodyText(request, 1_000)}`));
    const response = await send(url, { method: "POST", body: "hello", headers: { "content-type": "text/plain" } });
    expect(response).toMatchObject({ status: 200, body: "got hello" });
  });

  it("answers a body over the handler's limit with 413", async () => {
    const url = await serve(async (request) => new Response(await readBodyText(request, 4)));
    const response = await send(url, { method: "POST", body: "too long" });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("still delivers the 413 when a streamed body is far over the limit, reading and dropping the rest", async () => {
    const url = await serve(async (request) => new Response(await readBodyText(request, 1_000)));
    for (let i = 0; i < 20; i++) expect((await sendChunked(url, 64 * 16 * 1024)).status).toBe(413);
  });

  it("cuts a connection whose refused body keeps coming a few seconds after the answer", async () => {
    const url = new URL(await serve(async (request) => new Response(await readBodyText(request, 1_000))));
    const started = performance.now();
    const { answer, closedAfterMs } = await new Promise<{ answer: string; closedAfterMs: number }>((resolve) => {
      let answer = "";
      const socket = connect(Number(url.port), url.hostname, () => {
        // Declares 50 MB, sends 64 KB and then nothing.
        socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n${"x".repeat(65_536)}`);
      });
      socket.on("data", (chunk: Buffer) => {
        answer += chunk.toString();
      });
      socket.on("close", () => resolve({ answer, closedAfterMs: performance.now() - started }));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(closedAfterMs).toBeGreaterThan(2_000);
    expect(closedAfterMs).toBeLessThan(10_000);
  });

  it("survives a chunked body over the limit whose rest arrives before the answer is written", async () => {
    // The handler answers only after the client has sent everything, so the request's `end` comes after the
    // reader cancelled the stream: closing the cancelled stream used to throw ERR_INVALID_STATE out of the
    // event listener and end the process.
    let rejected = 0;
    const url = await serve(async (request) => {
      if (new URL(request.url).pathname === "/ping") return new Response("pong");
      try {
        return new Response(await readBodyText(request, 1_024 * 1_024));
      } catch (error) {
        rejected++;
        await new Promise((resolve) => setTimeout(resolve, 300));
        throw error;
      }
    });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const response = await sendChunked(`${url}/woocommerce/webhooks/anything`, 1_100_000);
      expect(response.status).toBe(413);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await send(`${url}/ping`)).toMatchObject({ status: 200, body: "pong" });
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    expect(rejected).toBe(1);
    expect(uncaught).toEqual([]);
  });

  it("sends a one-piece body with a Content-Length, and keeps repeated Set-Cookie headers", async () => {
    const url = await serve(async () => {
      const headers = new Headers({ "content-type": "text/plain" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response("héllo", { status: 201, headers });
    });
    const response = await send(url);
    expect(response.status).toBe(201);
    expect(response.body).toBe("héllo");
    expect(response.headers["content-length"]).toBe("6");
    expect(response.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
  });

  it("streams a body that arrives in many chunks", async () => {
    const url = await serve(async () => {
      let i = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (i < 50) controller.enqueue(new TextEncoder().encode(`${i++},`));
          else controller.close();
        },
      });
      return new Response(stream);
    });
    const response = await send(url);
    expect(response.headers["transfer-encoding"]).toBe("chunked");
    expect(response.body).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(""));
  });

  it("turns a handler exception into a 500 and keeps serving", async () => {
    // Expected here: take over console.error so the setup file does not fail the test for it.
    const errors = vi.mocked(console.error).mockImplementation(() => {});
    let calls = 0;
    const url = await serve(async () => {
      if (calls++ === 0) throw new Error("boom");
      return new Response("fine");
    });
    const failed = await send(url);
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body)).toEqual({ error: { code: "internal", message: "internal error" } });
    expect(errors).toHaveBeenCalledTimes(1);
    expect((await send(url)).body).toBe("fine");
  });

  it("answers HEAD without a body", async () => {
    const url = await serve(async () => new Response("body", { headers: { "content-type": "text/plain" } }));
    const response = await send(url, { method: "HEAD" });
    expect(response).toMatchObject({ status: 200, body: "" });
  });

  it("serves many requests on one keep-alive connection", async () => {
    const url = await serve(async (request) => new Response(new URL(request.url).pathname));
    const bodies = [];
    for (let i = 0; i < 5; i++) bodies.push(await (await fetch(`${url}/n/${i}`)).text());
    expect(bodies).toEqual(["/n/0", "/n/1", "/n/2", "/n/3", "/n/4"]);
  });
});

describe("serveFetch node routes", () => {
  const echo: NodeRoute = {
    matches: (target) => target.startsWith("/echo"),
    async handle(req, res, ctx) {
      writeAnswer(res, {
        status: 200,
        headers: { "content-type": "text/plain" },
        body: `${ctx.clientIp} ${await readNodeBodyText(req, 1_000)}`,
      });
    },
  };

  async function serveRoutes(): Promise<string> {
    running = await serveFetch(async () => new Response("from fetch"), {
      port: 0,
      host: "127.0.0.1",
      nodeRoutes: [echo],
    });
    return running.url;
  }

  it("answers matching targets on node:http and the rest through the fetch handler", async () => {
    const url = await serveRoutes();
    const routed = await send(`${url}/echo?x=1`, { method: "POST", body: "hello" });
    expect(routed).toMatchObject({ status: 200, body: "127.0.0.1 hello" });
    expect(routed.headers["content-length"]).toBe("15");
    expect(await send(`${url}/other`)).toMatchObject({ status: 200, body: "from fetch" });
  });

  it("answers a declared body over the limit with 413 without reading it", async () => {
    const url = await serveRoutes();
    const response = await send(`${url}/echo`, { method: "POST", body: "x".repeat(2_000) });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("still delivers the 413 when a streamed body is far over the limit", async () => {
    const url = await serveRoutes();
    for (let i = 0; i < 20; i++) expect((await sendChunked(`${url}/echo`, 64 * 16 * 1024)).status).toBe(413);
  });

  it("turns a route's exception into a 500 and keeps serving", async () => {
    // Expected here: take over console.error so the setup file does not fail the test for it.
    const errors = vi.mocked(console.error).mockImplementation(() => {});
    running = await serveFetch(async () => new Response("from fetch"), {
      port: 0,
      host: "127.0.0.1",
      nodeRoutes: [
        {
          matches: () => true,
          handle: () => Promise.reject(new Error("boom")),
        },
      ],
    });
    const response = await send(`${running.url}/anything`);
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: { code: "internal", message: "internal error" } });
    expect((await send(`${running.url}/again`)).status).toBe(500);
    expect(errors).toHaveBeenCalledTimes(2);
  });
});

describe("serveFetch gates", () => {
  it("runs at most the gate's limit at once and refuses the rest with 429 on node:http, never reaching the handler", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: string[] = [];
    const gate = concurrencyGate({
      matches: (method, target) => method === "POST" && routedPath(target) === "/sign-in",
      limit: 2,
      message: "too many sign-ins at once; try again in a moment",
    });
    running = await serveFetch(
      async (request) => {
        handled.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`);
        if (request.method === "POST") await held;
        return new Response("answered");
      },
      { port: 0, host: "127.0.0.1", gates: [gate] },
    );
    const url = running.url;
    const post = (body: string, path = "/sign-in") => send(`${url}${path}`, { method: "POST", body });
    const admitted = [post("a"), post("b")];
    await vi.waitFor(() => expect(handled).toHaveLength(2), { timeout: 10_000 });
    expect(gate.inFlight()).toBe(2);

    const refused = await post("c".repeat(10_000), "/Sign-In?next=/x");
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(JSON.parse(refused.body)).toEqual({
      error: { code: "rate_limited", message: "too many sign-ins at once; try again in a moment" },
    });
    // The same path spelled otherwise is the same route, and refused the same.
    expect((await post("d", "/x/..//%73ign-in")).status).toBe(429);
    // A GET of the page, and any other request, is never counted or refused.
    expect(await send(`${url}/sign-in`)).toMatchObject({ status: 200, body: "answered" });
    expect(handled).toEqual(["POST /sign-in a", "POST /sign-in b", "GET /sign-in "]);

    release();
    expect((await Promise.all(admitted)).map((r) => r.status)).toEqual([200, 200]);
    expect(gate.inFlight()).toBe(0);
    expect((await post("e")).status).toBe(200);
    expect(handled.at(-1)).toBe("POST /sign-in e");
  });

  it("gives the slot back when the handler fails", async () => {
    const errors = vi.mocked(console.error).mockImplementation(() => {});
    const gate = concurrencyGate({ matches: (method) => method === "POST", limit: 1, message: "busy" });
    running = await serveFetch(
      async () => {
        throw new Error("boom");
      },
      { port: 0, host: "127.0.0.1", gates: [gate] },
    );
    expect((await send(running.url, { method: "POST", body: "x" })).status).toBe(500);
    expect((await send(running.url, { method: "POST", body: "x" })).status).toBe(500);
    expect(gate.inFlight()).toBe(0);
    expect(errors).toHaveBeenCalledTimes(2);
  });
});
