export { type Runtime, type RuntimeOptions, type Sweep, startRuntime, startSweeps } from "./runtime.ts";
