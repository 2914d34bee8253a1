export * from "./click-id.ts";
export * from "./link-store.ts";
