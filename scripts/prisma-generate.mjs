// Generates one Prisma client per provider from the single schema: SQLite as written, PostgreSQL by
// swapping the provider and the output folder. The application picks one at start-up from DATABASE_URL.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaPath = join(root, "prisma/schema.prisma");
const schema = readFileSync(schemaPath, "utf8");

export function postgresSchema(text) {
  return text
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace(
      'output          = "../core/src/db/generated/sqlite"',
      'output          = "../../core/src/db/generated/postgresql"',
    );
}

const pgPath = join(root, "prisma/generated/postgresql.prisma");
mkdirSync(dirname(pgPath), { recursive: true });
writeFileSync(pgPath, postgresSchema(schema));

const prisma = join(root, "node_modules/.bin/prisma");
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? "file:./data/trailmark.db",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pgEnv = { ...env, DATABASE_URL: "postgresql://localhost/trailmark" };
  for (const [s, e] of [
    [schemaPath, env],
    [pgPath, pgEnv],
  ]) {
    execFileSync(prisma, ["generate", "--schema", s], { cwd: root, env: e, stdio: ["ignore", "ignore", "inherit"] });
  }
  console.log("prisma clients generated (sqlite, postgresql)");
}
