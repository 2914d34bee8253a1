import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import type { Database } from "@trailmark/core/db";
import type { RequestContext } from "@trailmark/core/http";
import { provideDatabase } from "../app/db.server.ts";
import { guardRequest, withFraming } from "./http-edges.ts";

// The Shopify app as one fetch-style handler, for core's server or server.ts to mount: the built client assets
// (build/client) are served from disk, everything else goes to the Remix server build (build/server/index.js),
// which is built first when it is missing or older than its sources.

export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
export const BUILD_DIR = join(APP_DIR, "build");
const SERVER_ENTRY = join(BUILD_DIR, "server", "index.js");
const CLIENT_DIR = join(BUILD_DIR, "client");
const CORE_SRC = join(APP_DIR, "..", "core", "src");
const LOCK_DIR = join(APP_DIR, ".cache", "build.lock");
const STALE_LOCK_MS = 10 * 60_000;

/** Newest modification time of the files the server bundle is built from. */
function newestSourceTime(): number {
  let newest = statSync(join(APP_DIR, "vite.config.ts")).mtimeMs;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "generated" || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(APP_DIR, "app"));
  walk(CORE_SRC);
  return newest;
}

/** Whether build/ holds a server bundle at least as new as every source file. */
export function isBuildFresh(): boolean {
  try {
    return statSync(SERVER_ENTRY).mtimeMs >= newestSourceTime() && statSync(CLIENT_DIR).isDirectory();
  } catch {
    return false;
  }
}

function runBuild(): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const cli = join(APP_DIR, "..", "node_modules", "@remix-run", "dev", "dist", "cli.js");
    const child = spawn(process.execPath, [cli, "vite:build"], {
      cwd: APP_DIR,
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`remix vite:build failed (${code}):\n${output.slice(-4000)}`)),
    );
  });
}

function tryLock(): boolean {
  mkdirSync(join(APP_DIR, ".cache"), { recursive: true });
  try {
    mkdirSync(LOCK_DIR);
    return true;
  } catch {
    try {
      // A build that crashed leaves its lock behind; an old one is not honoured.
      if (Date.now() - statSync(LOCK_DIR).mtimeMs > STALE_LOCK_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {}
    return false;
  }
}

/** Builds the app (remix vite:build) unless the build is fresh; concurrent callers, even in other processes, wait. */
export async function ensureBuilt(options: { force?: boolean } = {}): Promise<void> {
  for (;;) {
    if (!options.force && isBuildFresh()) return;
    if (tryLock()) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    if (options.force || !isBuildFresh()) await runBuild();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/** A file under build/client for a GET or HEAD, or null to let Remix answer. */
export async function serveClientAsset(request: Request, clientDir = CLIENT_DIR): Promise<Response | null> {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return null;
  }
  // No dot-files or dot-directories (build/client/.vite holds the manifest), no way out of the directory.
  if (pathname.endsWith("/") || pathname.includes("\0") || pathname.split("/").some((s) => s.startsWith(".")))
    return null;
  const root = resolve(clientDir);
  const path = resolve(root, `.${pathname}`);
  if (!path.startsWith(root + sep)) return null;
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers = new Headers({
    "content-type": contentTypeOf(path),
    etag,
    // Vite fingerprints everything under /assets/: those never change under the same name.
    "cache-control": pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "public, max-age=3600",
  });
  if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  headers.set("content-length", String(info.size));
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });
  return new Response(new Uint8Array(await readFile(path)), { status: 200, headers });
}

export interface ShopifyAppHandlerOptions {
  /** The process's database; otherwise the app opens DATABASE_URL itself on first use. */
  database?: Database;
  /** Build when the build is missing or stale (default true). */
  build?: boolean;
}

/** `ctx` (from core's server) gives the routes the client's address as `context.clientIp`. */
export type ShopifyAppHandler = (request: Request, ctx?: RequestContext) => Promise<Response>;

export async function createShopifyAppHandler(options: ShopifyAppHandlerOptions = {}): Promise<ShopifyAppHandler> {
  if (options.database) provideDatabase(options.database);
  if (options.build !== false) await ensureBuilt();
  const build = (await import(pathToFileURL(SERVER_ENTRY).href)) as ServerBuild;
  const handleRemix = createRequestHandler(build, process.env.NODE_ENV === "production" ? "production" : "development");
  return async (request, ctx) => {
    const asset = await serveClientAsset(request);
    if (asset) return asset;
    const { pathname } = new URL(request.url);
    const guarded = await guardRequest(request);
    if (guarded instanceof Response) return withFraming(pathname, guarded);
    return withFraming(pathname, await handleRemix(guarded, { clientIp: ctx?.clientIp ?? null }));
  };
}
