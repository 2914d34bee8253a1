// Bundles the pixel the way Shopify CLI does for web_pixel_extension (one self-contained script, IIFE), minified.
// `node build.mjs` writes dist/main.js; tests import buildPixel() and run the bundle in a simulated sandbox.
// @shopify/web-pixels-extension's register() is `shopify.extend("WebPixel::Render", fn)`: the bundle reads the
// sandbox's global `shopify`, so nothing is marked external.
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
/** Shopify rejects web pixel bundles over 128 KB. */
export const MAX_BUNDLE_BYTES = 128 * 1024;

export async function buildPixel({ outfile = join(here, "dist", "main.js"), minify = true } = {}) {
  await build({
    entryPoints: [join(here, "src", "index.ts")],
    outfile,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify,
    legalComments: "none",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  const bytes = statSync(outfile).size;
  if (bytes > MAX_BUNDLE_BYTES) throw new Error(`pixel bundle is ${bytes} bytes, over Shopify's ${MAX_BUNDLE_BYTES}`);
  return { outfile, bytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outfile, bytes } = await buildPixel();
  console.log(`${outfile}: ${bytes} bytes`);
}
