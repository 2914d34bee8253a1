import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { errorResponse } from "../http/error-response.ts";

// GET /t.js: the site script (site-script.js), minified with esbuild once at first use and kept in
// memory with its gzip form. Framework-free: a fetch Request in, a Response out.

const SOURCE = new URL("./site-script.js", import.meta.url);
const CONTENT_TYPE = "text/javascript; charset=utf-8";
const CACHE_CONTROL = "public, max-age=300";

export interface SiteScriptAsset {
  /** Minified JavaScript. */
  code: string;
  identity: { body: Uint8Array<ArrayBuffer>; etag: string };
  gzip: { body: Uint8Array<ArrayBuffer>; etag: string };
}

/** Minifies site-script.js (ES2017 target) and gzips it. */
export async function buildSiteScript(source?: string): Promise<SiteScriptAsset> {
  const text = source ?? (await readFile(SOURCE, "utf8"));
  const { transform } = await import("esbuild");
  const { code } = await transform(text, { loader: "js", minify: true, target: "es2017", legalComments: "none" });
  const body = new TextEncoder().encode(code);
  const hash = createHash("sha256").update(body).digest("base64url").slice(0, 27);
  return {
    code,
    identity: { body, etag: `"${hash}"` },
    // A strong ETag names one representation: the gzipped bytes get their own.
    gzip: { body: new Uint8Array(gzipSync(body, { level: 9 })), etag: `"${hash}-gz"` },
  };
}

let cached: Promise<SiteScriptAsset> | undefined;

/** The built script, built once per process (a failed build is retried on the next request). */
export function loadSiteScript(): Promise<SiteScriptAsset> {
  if (!cached) {
    cached = buildSiteScript();
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

/** True when Accept-Encoding lets us send gzip (gzip, x-gzip or *, with q > 0). */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const quality = Number.isFinite(q) ? q : 0;
    if (name === "gzip" || name === "x-gzip") gzip = Math.max(gzip ?? 0, quality);
    else if (name === "*") any = quality;
  }
  return (gzip ?? any ?? 0) > 0;
}

/** If-None-Match uses the weak comparison: W/"x" matches "x". */
function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return (header.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => tag.replace(/^W\//, "") === etag);
}

export function createSiteScriptHandler(): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      const body = { error: { code: "method_not_allowed", message: `${request.method} is not allowed on /t.js` } };
      return new Response(JSON.stringify(body), {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "application/json; charset=utf-8" },
      });
    }
    let asset: SiteScriptAsset;
    try {
      asset = await loadSiteScript();
    } catch (error) {
      return errorResponse(error);
    }
    const gzip = acceptsGzip(request.headers.get("accept-encoding"));
    const representation = gzip ? asset.gzip : asset.identity;
    const headers = new Headers({
      "cache-control": CACHE_CONTROL,
      etag: representation.etag,
      vary: "Accept-Encoding",
    });
    if (matchesEtag(request.headers.get("if-none-match"), representation.etag)) {
      return new Response(null, { status: 304, headers });
    }
    headers.set("content-type", CONTENT_TYPE);
    headers.set("content-length", String(representation.body.byteLength));
    headers.set("x-content-type-options", "nosniff");
    // Stores that isolate themselves (COEP) may still load it.
    headers.set("cross-origin-resource-policy", "cross-origin");
    if (gzip) headers.set("content-encoding", "gzip");
    const body = request.method === "HEAD" ? null : representation.body;
    return new Response(body, { status: 200, headers });
  };
}
