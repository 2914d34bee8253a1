// Prisma CLI configuration. The JS schema engine with a driver adapter lets `prisma generate` and
// `prisma migrate diff` run with no downloaded engine binaries (the network here reaches only npm).
// The adapter follows DATABASE_URL so that the PostgreSQL variant of the schema gets a PostgreSQL adapter.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

const url = process.env.DATABASE_URL ?? "file:./data/trailmark.db";
const isPostgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: isPostgres ? "prisma/generated/postgresql.prisma" : "prisma/schema.prisma",
  async adapter() {
    return isPostgres
      ? new PrismaPg({ connectionString: url })
      : new PrismaBetterSQLite3({ url: url.replace(/^file:/, "") });
  },
});
