import { z } from "zod";
import { DEFAULT_DATABASE_URL } from "../db/client.ts";

// The process environment, parsed once at start-up. Every variable has a working default for a developer
// machine; a bad value stops the process with the variable's name.
export const CoreEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: (SQLite) or postgresql://")
    .default(DEFAULT_DATABASE_URL),
  /** The public base URL of this server: tracking links, the portal's sign-in links. */
  PUBLIC_URL: z.url().optional(),
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  TRUST_PROXY: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** /collect requests per minute per client address. */
  COLLECT_RATE_LIMIT: z.coerce.number().int().positive().default(600),
  /** Send sign-in links (creators and store owners) by SMTP (smtp://user:pass@host:587 or smtps://…); unset: log them. */
  SMTP_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .regex(/^smtps?:\/\/[^/\s]/, "must be an smtp:// or smtps:// URL")
      .optional(),
  ),
  /** The sender of the sign-in mail. */
  MAIL_FROM: z.string().min(1).default("Trailmark <no-reply@localhost>"),
  /** Shares the rate limits and the click dedup window between instances (redis:// or rediss://); unset: per process. */
  REDIS_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .regex(/^rediss?:\/\/[^/\s]/, "must be a redis:// or rediss:// URL")
      .optional(),
  ),
  /** Prepended to every Redis key, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().min(1).default("trailmark:"),
  /** Worker processes `npm start` runs on this machine (node:cluster); 1 runs everything in one process. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** How often pending commissions past their holding period are approved. */
  APPROVAL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
});
export type CoreEnv = z.infer<typeof CoreEnvSchema>;

export function parseEnv<T extends z.ZodType>(
  schema: T,
  source: Record<string, string | undefined> = process.env,
): z.infer<T> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`invalid environment:\n${problems}`);
  }
  return result.data;
}
