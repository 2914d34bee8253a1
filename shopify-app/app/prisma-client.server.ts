// Stands in for @prisma/client inside the server bundle (see vite.config.ts): the Prisma session storage only needs
// the `Prisma` namespace, for its error classes, and core's generated client has it.
export { Prisma } from "@trailmark/core/db";
