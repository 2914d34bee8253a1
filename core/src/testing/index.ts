export { call, signIn } from "../portal/portal-test-kit.ts";
export * from "./chromium.ts";
export * from "./database.ts";
export * from "./fixtures.ts";
export * from "./redis.ts";
export * from "./smtp-server.ts";
