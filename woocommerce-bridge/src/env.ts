import { type Env, EnvSchema, parseEnv } from "../../core/src/config/env.ts";

// The bridge reads the one environment schema (core/src/config/env.ts): the server's section and its own.
export { DEFAULT_RECONCILE_INTERVAL_MS } from "../../core/src/config/env.ts";
export type BridgeEnv = Env;

export function parseBridgeEnv(env: Record<string, string | undefined> = process.env): BridgeEnv {
  return parseEnv(EnvSchema, env);
}
