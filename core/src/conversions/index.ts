export * from "./approve-due.ts";
