import { defineConfig } from "vitest/config";

// One runner for every workspace. Database tests get a fresh database per test file from
// core/src/testing/database.ts, on SQLite or on PostgreSQL as DATABASE_URL says.
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: "core", include: ["core/src/**/*.test.ts", "bench/**/*.test.ts"] } },
      { extends: true, test: { name: "woocommerce-bridge", include: ["woocommerce-bridge/src/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "shopify-app",
          include: ["shopify-app/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/build/**"],
        },
      },
      // `npm start` as a child process, reached over real HTTP like any client.
      { extends: true, test: { name: "product", include: ["scripts/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "pixel", include: ["extensions/trailmark-pixel/**/*.test.ts"], exclude: ["**/node_modules/**"] },
      },
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    setupFiles: ["core/src/testing/setup.ts"],
    globalSetup: ["core/src/testing/global-setup.ts"],
  },
});
