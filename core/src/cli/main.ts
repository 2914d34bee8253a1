// The `trailmark` command: opens the database DATABASE_URL names as every start-up does (tuned, pending
// migrations applied: core/src/runtime), runs one command.

import { EnvSchema, parseEnv, publicUrlOf } from "../config/env.ts";
import type { Database, Db } from "../db/client.ts";
import { openRuntimeDatabase } from "../db/open-database.ts";
import { runCli } from "./commands.ts";

type PluginCommand = (
  argv: string[],
  deps: { db: Db; out: (line: string) => void; err: (line: string) => void; publicUrl: string },
) => Promise<number>;

let database: Database | undefined;
let code = 1;
try {
  const env = parseEnv(EnvSchema);
  // Stdout is the command's (--json output is parsed): the migrations are reported on stderr.
  database = await openRuntimeDatabase(env.DATABASE_URL, { log: console.error });
  const db = database.db;
  const publicUrl = publicUrlOf(env);
  const extra: Record<string, (argv: string[]) => Promise<number>> = {};
  // Platform commands live with their adapters; core only knows their package names.
  const plugins: Record<string, string> = { woo: "@trailmark/woocommerce/cli" };
  for (const [name, specifier] of Object.entries(plugins)) {
    try {
      const plugin = (await import(specifier)) as { runCommand: PluginCommand };
      extra[name] = (argv) => plugin.runCommand(argv, { db, out: console.log, err: console.error, publicUrl });
    } catch {
      // Not installed: the command is simply unknown.
    }
  }
  code = await runCli(process.argv.slice(2), {
    db,
    out: console.log,
    err: console.error,
    publicUrl,
    extra,
  });
} catch (error) {
  console.error(`trailmark: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await database?.close();
}
process.exit(code);
