export * from "./api-keys.ts";
export * from "./store.ts";
