export * from "./cli-errors.ts";
export * from "./commands.ts";
