import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

// Every browser test drives Debian's Chromium (installed by `npm test`'s pretest when missing) with the same
// flags: headless, and none of the background connections this machine's closed network would refuse.
export const CHROMIUM_PATH = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-quic",
  "--no-first-run",
  "--disable-sync",
];

export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...ARGS, ...extraArgs] });
}

/**
 * A page that reaches only this machine (Shopify's CDN fonts and anything else outside are refused, as the
 * network here would refuse them, only faster) and records the page's uncaught errors in `pageErrors`.
 */
export async function localPage(context: BrowserContext, pageErrors: string[]): Promise<Page> {
  await context.route("**/*", (route) =>
    new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort(),
  );
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  return page;
}
