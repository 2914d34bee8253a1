export { openRuntimeDatabase } from "./database.ts";
export { type Runtime, type RuntimeOptions, type Sweep, startRuntime, startSweeps } from "./runtime.ts";
