// `npm start` as a child process for end-to-end tests: the whole product (tracking, API, WooCommerce bridge,
// Shopify app, portal, standalone admin) on one port, on the test's database. A test sees what a client sees,
// and sees the process die if a request can kill it.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const START = join(ROOT, "scripts/start.ts");
const LISTENING = /Trailmark listening on (http:\/\/\S+)/;

export const ROOT_DIR = ROOT;

export interface ProductProcess {
  url: string;
  pid: number;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** The exit code once the process has exited, else null. */
  exitCode(): number | null;
  stop(): Promise<void>;
}

export async function startProduct(
  databaseUrl: string,
  env: Record<string, string> = {},
  /** Another entry point (the Shopify app alone: shopify-app/server.ts) and the line it prints when listening. */
  entry: { script: string; listening: RegExp } = { script: START, listening: LISTENING },
  /** Node options for the process alone (a benchmark's --cpu-prof, say). */
  nodeArgs: readonly string[] = [],
): Promise<ProductProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "--import", "tsx", entry.script], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      // No sweeps while a test counts rows.
      APPROVAL_INTERVAL_MS: String(24 * 3_600_000),
      WOO_RECONCILE_INTERVAL_MS: String(24 * 3_600_000),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let exitCode: number | null = null;
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const listening = entry.listening.exec(stdout);
      if (listening) resolve(listening[1]!);
    });
    void exited.then(() =>
      reject(new Error(`npm start exited (${exitCode}) before listening:\n${stderr.slice(-4000)}`)),
    );
  });
  return {
    url,
    pid: child.pid!,
    stderr: () => stderr,
    exitCode: () => exitCode,
    async stop() {
      if (exitCode !== null) return;
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
