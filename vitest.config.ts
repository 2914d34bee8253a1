import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// The files that take longest, started first, so that the run ends on short files on both workers rather than
// on one long file alone. Most of them wait on other processes (`npm start` children, Chromium, PostgreSQL) and
// overlap well with the other worker. Without this the order is by project name: CI starts from a fresh clone,
// with no cached durations for vitest to sort by.
const SLOW_FIRST = [
  /several-instances\.e2e\.test\.ts$/,
  /\.browser\.test\.ts$/,
  /\.fuzz\.test\.ts$/,
  /inbox-processes\.test\.ts$/,
  /webhook-batch\.test\.ts$/,
  /\.e2e\.test\.ts$/,
  /large-campaign\.test\.ts$/,
  /password-attempts\.test\.ts$/,
  /-crash\.test\.ts$/,
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((pattern) => pattern.test(file.moduleId));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    // Array.prototype.sort is stable: within a rank, vitest's own order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    // expect.poll waits for a page or a process to catch up; its default 1 s deadline failed the browser tests on
    // a loaded machine. None asserts how soon.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker less than the CPUs: one on CI's two, so every file ran after the other while
    // most of them wait on a child process, a browser or the database. At least two files at once. The projects
    // inherit this value, so `--maxWorkers` on the command line does not change it; edit it here.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirstSequencer },
    setupFiles: ["core/src/testing/setup.ts"],
    globalSetup: ["core/src/testing/global-setup.ts"],
  },
});
