import { readFile } from "node:fs/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import { transform } from "esbuild";
import { describe, expect, it, vi } from "vitest";
import { acceptsGzip, buildSiteScript, createSiteScriptHandler, loadSiteScript } from "./serve.ts";

// Count esbuild builds while still running the real transform.
vi.mock("esbuild", async (importOriginal) => {
  const actual = await importOriginal<typeof import("esbuild")>();
  return { ...actual, transform: vi.fn(actual.transform) };
});

const URL_ = "https://trailmark.example/t.js";
const handler = createSiteScriptHandler();
const get = (headers: Record<string, string> = {}, method = "GET") => handler(new Request(URL_, { method, headers }));

describe("site script source", () => {
  it("is under 5 KB once minified and gzipped", async () => {
    const { code } = await loadSiteScript();
    const gzipped = gzipSync(code, { level: 9 }).byteLength;
    expect(gzipped).toBeLessThan(5120);
  });

  it("is plain ES2017: esbuild lowers nothing when targeting es2017", async () => {
    const source = await readFile(new URL("./site-script.js", import.meta.url), "utf8");
    const latest = await transform(source, { loader: "js", target: "esnext" });
    const es2017 = await transform(source, { loader: "js", target: "es2017" });
    expect(es2017.code).toBe(latest.code);
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
  });

  it("compiles as a classic script that declares no globals of its own", async () => {
    const { code } = await loadSiteScript();
    expect(() => new Function(code)).not.toThrow();
    expect(code.trimStart().startsWith("(()=>{")).toBe(true);
  });

  it("buildSiteScript rejects broken source (served as a 500, retried later)", async () => {
    await expect(buildSiteScript("(() => {")).rejects.toThrow();
  });
});

describe("createSiteScriptHandler", () => {
  it("serves the minified script with its headers", async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(response.headers.get("content-encoding")).toBeNull();
    const etag = response.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/); // strong: no W/
    const body = await response.text();
    expect(body).toBe((await loadSiteScript()).code);
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
    const source = await readFile(new URL("./site-script.js", import.meta.url), "utf8");
    expect(body.length).toBeLessThan(source.length / 2);
    expect(body).toContain("/collect");
  });

  it("gzips when Accept-Encoding allows it, with its own strong ETag", async () => {
    const plain = await get();
    const response = await get({ "accept-encoding": "gzip, deflate, br" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    const etag = response.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(etag).not.toBe(plain.headers.get("etag"));
    // Node's fetch Response does not decode: the body is the stored gzip bytes.
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(response.headers.get("content-length")).toBe(String(bytes.byteLength));
    expect(gunzipSync(bytes).toString("utf8")).toBe(await plain.text());
    expect(bytes.byteLength).toBeLessThan(5120);
  });

  it.each([
    ["gzip", true],
    ["GZIP;q=0.5", true],
    ["x-gzip", true],
    ["*", true],
    ["br, *;q=0.1", true],
    ["gzip;q=0", false],
    ["gzip;q=0, *", false],
    ["identity", false],
    ["br", false],
    ["", false],
  ])("Accept-Encoding %j -> gzip %s", async (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
    const response = await get(header ? { "accept-encoding": header } : {});
    expect(response.headers.get("content-encoding")).toBe(expected ? "gzip" : null);
  });

  it("answers 304 to a matching If-None-Match, 200 otherwise", async () => {
    const first = await get();
    const etag = first.headers.get("etag")!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const response = await get({ "if-none-match": header });
      expect(response.status, header).toBe(304);
      expect(response.headers.get("etag")).toBe(etag);
      expect(response.headers.get("cache-control")).toBe("public, max-age=300");
      expect(await response.text()).toBe("");
    }
    const stale = await get({ "if-none-match": '"something-else"' });
    expect(stale.status).toBe(200);
    // The gzip representation has its own tag: the identity tag does not validate it.
    const gz = await get({ "accept-encoding": "gzip", "if-none-match": etag });
    expect(gz.status).toBe(200);
    const gzEtag = gz.headers.get("etag")!;
    const gz304 = await get({ "accept-encoding": "gzip", "if-none-match": gzEtag });
    expect(gz304.status).toBe(304);
    expect(gz304.headers.get("etag")).toBe(gzEtag);
  });

  it("answers HEAD with the headers and no body", async () => {
    const get200 = await get({ "accept-encoding": "gzip" });
    const head = await get({ "accept-encoding": "gzip" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(get200.headers.get("etag"));
    expect(head.headers.get("content-length")).toBe(get200.headers.get("content-length"));
    expect(head.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(head.body).toBeNull();
  });

  it.each(["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])("answers 405 to %s", async (method) => {
    const response = await handler(new Request(URL_, { method, body: method === "POST" ? "x" : null }));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    expect(await response.json()).toEqual({ error: { code: "method_not_allowed", message: expect.any(String) } });
  });

  it("minifies once per process, however many handlers and concurrent requests", async () => {
    const other = createSiteScriptHandler();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? handler : other)(new Request(URL_))),
    );
    const etags = new Set(responses.map((r) => r.headers.get("etag")));
    expect(etags.size).toBe(1);
    // One build for the asset; the other calls are the explicit ones in this file.
    const calls = vi.mocked(transform).mock.calls.filter(([, options]) => options?.minify === true);
    expect(calls.filter(([input]) => input !== "(() => {")).toHaveLength(1);
  });
});
