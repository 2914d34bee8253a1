export * from "./client.ts";
// The namespace of the generated client (error classes, Decimal): the same on both providers' clients.
export { Prisma } from "./generated/sqlite/index.js";
export * from "./insert-rows.ts";
export * from "./migrate.ts";
export { openRuntimeDatabase } from "./open-database.ts";
export * from "./sql.ts";
export * from "./sqlite-pragmas.ts";
