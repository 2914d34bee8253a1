import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin, type UserConfig } from "vite";

// Remix 2 with every v3 future flag on (v3_routeConfig is not used: routes are the flat files in app/routes), so
// the move to React Router 7 stays a codemod. Core's code is bundled into the server build; the generated Prisma
// clients stay outside it (they load their query compiler from their own folder at run time).

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

const GENERATED_PRISMA = /[\\/]core[\\/]src[\\/]db[\\/]generated[\\/]/;
const SERVER_BUILD_DIR = fileURLToPath(new URL("./build/server/", import.meta.url));

const DEV_PRISMA_PREFIX = "\0trailmark-prisma:";

/**
 * Leaves core's generated Prisma clients (CommonJS, with files they load from their own folder) out of Vite's
 * hands: the build imports them by their path relative to build/server, and the dev server requires them.
 */
function externalPrismaClients(): Plugin {
  let building = false;
  return {
    name: "trailmark:external-prisma-clients",
    enforce: "pre",
    configResolved(config) {
      building = config.command === "build";
    },
    async resolveId(source, importer, options) {
      if (!importer || !/generated\/(sqlite|postgresql)\//.test(source)) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!resolved || !GENERATED_PRISMA.test(resolved.id)) return null;
      if (!building) return `${DEV_PRISMA_PREFIX}${resolved.id}`;
      const path = relative(SERVER_BUILD_DIR, resolved.id).split(sep).join("/");
      return { id: path.startsWith(".") ? path : `./${path}`, external: true };
    },
    load(id) {
      if (!id.startsWith(DEV_PRISMA_PREFIX)) return null;
      const path = JSON.stringify(id.slice(DEV_PRISMA_PREFIX.length));
      return [
        `import { createRequire } from "node:module";`,
        `const client = createRequire(${path})(${path});`,
        "export const { Prisma, PrismaClient, $Enums } = client;",
        "export default client;",
      ].join("\n");
    },
  };
}

const APP_URL = new URL(process.env.SHOPIFY_APP_URL || "http://localhost:3000");

export default defineConfig({
  resolve: {
    // @shopify/shopify-app-session-storage-prisma imports `Prisma` from @prisma/client, whose default client is
    // never generated here (core generates its own clients into core/src/db/generated). The storage is bundled
    // and this alias hands it core's generated `Prisma` namespace instead.
    alias: { "@prisma/client": fileURLToPath(new URL("./app/prisma-client.server.ts", import.meta.url)) },
  },
  ssr: { noExternal: ["@shopify/shopify-app-session-storage-prisma"] },
  server: {
    port: Number(process.env.PORT || 3000),
    allowedHosts: [APP_URL.hostname],
    fs: { allow: [".."] },
  },
  plugins: [
    externalPrismaClients(),
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.ts"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: true,
      },
    }),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris", "@shopify/polaris-viz"] },
}) satisfies UserConfig;
