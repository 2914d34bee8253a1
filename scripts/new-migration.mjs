// Creates the next migration for both providers from the difference between the schema as of the last
// migration (prisma/migrations/schema.snapshot.prisma) and the schema now. Each migration folder holds
// migration.sql (SQLite, read by `prisma migrate deploy` too) and postgresql.sql (same step, PostgreSQL
// dialect), so there is one ordered history; core/src/db/migrate.ts applies whichever the database needs.
// Usage: npm run db:migration -- <name>
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { postgresSchema } from "./prisma-generate.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name in snake_case>");
  process.exit(2);
}
const migrations = join(root, "prisma/migrations");
const snapshot = join(migrations, "schema.snapshot.prisma");
const current = readFileSync(join(root, "prisma/schema.prisma"), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "tm-migration-"));
const prisma = join(root, "node_modules/.bin/prisma");

function diff(providerUrl, toText, fromText) {
  const to = join(tmp, `to-${Math.random()}.prisma`);
  writeFileSync(to, toText);
  const args = ["migrate", "diff", "--to-schema-datamodel", to, "--script"];
  if (fromText === null) args.push("--from-empty");
  else {
    const from = join(tmp, `from-${Math.random()}.prisma`);
    writeFileSync(from, fromText);
    args.push("--from-schema-datamodel", from);
  }
  return execFileSync(prisma, args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: providerUrl },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
}

const previous = existsSync(snapshot) ? readFileSync(snapshot, "utf8") : null;
const sqlite = diff("file:./data/trailmark.db", current, previous);
const pg = diff(
  process.env.PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  postgresSchema(current),
  previous === null ? null : postgresSchema(previous),
);
if (!sqlite.replace(/--.*$/gm, "").trim()) {
  console.error("the schema has not changed since the last migration");
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = join(migrations, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "migration.sql"), sqlite);
writeFileSync(join(dir, "postgresql.sql"), pg);
if (!existsSync(join(migrations, "migration_lock.toml")))
  writeFileSync(join(migrations, "migration_lock.toml"), 'provider = "sqlite"\n');
copyFileSync(join(root, "prisma/schema.prisma"), snapshot);
console.log(`created ${dir}`);
