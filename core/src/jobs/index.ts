export * from "./periodic-job.ts";
