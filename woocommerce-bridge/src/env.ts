import { z } from "zod";

// The bridge's environment, parsed once at start-up; a bad value stops the process with the variable's name.
export const DEFAULT_RECONCILE_INTERVAL_MS = 15 * 60_000;

export const BridgeEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),
  /** Behind a reverse proxy: trust X-Forwarded-For / X-Forwarded-Proto. */
  TRUST_PROXY: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  WOO_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(10_000).default(DEFAULT_RECONCILE_INTERVAL_MS),
});
export type BridgeEnv = z.infer<typeof BridgeEnvSchema>;

export function parseBridgeEnv(env: Record<string, string | undefined> = process.env): BridgeEnv {
  // Empty strings count as unset, as they do in most deployment tools' forms.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = BridgeEnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid environment: ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
