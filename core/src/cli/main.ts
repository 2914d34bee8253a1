// The `trailmark` command: opens the database DATABASE_URL names, applies pending migrations, runs one command.

import type { Db } from "../db/client.ts";
import { openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { runCli } from "./commands.ts";

type PluginCommand = (
  argv: string[],
  deps: { db: Db; out: (line: string) => void; err: (line: string) => void; publicUrl: string },
) => Promise<number>;

const database = openDatabase();
let code = 1;
try {
  await migrate(database);
  const publicUrl =
    process.env.PUBLIC_URL ?? process.env.SHOPIFY_APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  const extra: Record<string, (argv: string[]) => Promise<number>> = {};
  // Platform commands live with their adapters; core only knows their package names.
  const plugins: Record<string, string> = { woo: "@trailmark/woocommerce/cli" };
  for (const [name, specifier] of Object.entries(plugins)) {
    try {
      const plugin = (await import(specifier)) as { runCommand: PluginCommand };
      extra[name] = (argv) =>
        plugin.runCommand(argv, { db: database.db, out: console.log, err: console.error, publicUrl });
    } catch {
      // Not installed: the command is simply unknown.
    }
  }
  code = await runCli(process.argv.slice(2), {
    db: database.db,
    out: console.log,
    err: console.error,
    publicUrl,
    extra,
  });
} catch (error) {
  console.error(`trailmark: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await database.close();
}
process.exit(code);
