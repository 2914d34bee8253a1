export * from "./errors.ts";
export * from "./hashing.ts";
export * from "./ids.ts";
export * from "./money.ts";
