export * from "./creator.ts";
