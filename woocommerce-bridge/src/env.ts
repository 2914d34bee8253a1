import { type Env, EnvSchema, parseEnv } from "@trailmark/core/config";

// The bridge reads the one environment schema (core/src/config/env.ts): the server's section and its own.
export { DEFAULT_RECONCILE_INTERVAL_MS } from "@trailmark/core/config";
export type BridgeEnv = Env;

export function parseBridgeEnv(env: Record<string, string | undefined> = process.env): BridgeEnv {
  return parseEnv(EnvSchema, env);
}
