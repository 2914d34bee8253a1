export * from "./campaign-report.ts";
