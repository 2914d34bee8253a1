import { z } from "zod";
import { DEFAULT_DATABASE_URL } from "../db/client.ts";

// The process environment: one schema for every part (the tracking server, the WooCommerce bridge, the Shopify
// app), parsed once at start-up by core/src/runtime. Every variable has a working default for a developer
// machine; a bad value stops the process with the variable's name. An empty string counts as unset everywhere,
// as it does in most deployment tools' forms, and a yes/no variable is read by envBoolean everywhere.

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

/** A yes/no variable: true/1/yes/on or false/0/no/off, in any case; unset is `fallback`. */
export function envBoolean(fallback: boolean) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => TRUE.has(v) || FALSE.has(v), "must be true or false (or 1 or 0)")
    .optional()
    .transform((v) => (v === undefined ? fallback : TRUE.has(v)));
}

type Source = Record<string, string | undefined>;

/** The server every part runs: address, database, proxy, mail, Redis, sweeps. */
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
  TRUST_PROXY: envBoolean(false),
  /** /collect requests per minute per client address. */
  COLLECT_RATE_LIMIT: z.coerce.number().int().positive().default(600),
  /** Send sign-in links (creators and store owners) by SMTP (smtp://user:pass@host:587 or smtps://…); unset: log them. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/\s]/, "must be an smtp:// or smtps:// URL")
    .optional(),
  /** The sender of the sign-in mail. */
  MAIL_FROM: z.string().min(1).default("Trailmark <no-reply@localhost>"),
  /** Shares the rate limits and the click dedup window between instances (redis:// or rediss://); unset: per process. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/[^/\s]/, "must be a redis:// or rediss:// URL")
    .optional(),
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

/** The server's public base URL: PUBLIC_URL, else the Shopify app's URL, else this machine's port. */
export function publicUrlOf(env: CoreEnv, source: Source = process.env): string {
  return env.PUBLIC_URL ?? (source.SHOPIFY_APP_URL || undefined) ?? `http://localhost:${env.PORT}`;
}

export const DEFAULT_RECONCILE_INTERVAL_MS = 15 * 60_000;

/** The WooCommerce bridge's section. */
export const WooEnvSchema = z.object({
  /** How often every connected store's recent orders are compared with what was received. */
  WOO_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(10_000).default(DEFAULT_RECONCILE_INTERVAL_MS),
});

/** The payout providers' section (core/src/payouts/providers-from-env.ts); manual payouts need nothing. */
export const PayoutEnvSchema = z.object({
  STRIPE_SECRET_KEY: z.string().trim().min(1).optional(),
  /** A stand-in for Stripe's API (tests, a proxy). */
  STRIPE_API_BASE: z.url().optional(),
  PAYPAL_CLIENT_ID: z.string().trim().min(1).optional(),
  PAYPAL_CLIENT_SECRET: z.string().trim().min(1).optional(),
  /** Live by default; https://api-m.sandbox.paypal.com for the sandbox. */
  PAYPAL_API_BASE: z.url().optional(),
  /** Bounds each request to a provider. */
  PAYOUT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
});
export type PayoutEnv = z.infer<typeof PayoutEnvSchema>;

/** Everything `npm start` reads (the Shopify app's section is parsed on first use: parseShopifyEnv). */
export const EnvSchema = CoreEnvSchema.extend(WooEnvSchema.shape).extend(PayoutEnvSchema.shape);
export type Env = z.infer<typeof EnvSchema>;

/** Empty strings count as unset. */
function present(source: Source): Source {
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
}

export function parseEnv<T extends z.ZodType>(schema: T, source: Source = process.env): z.infer<T> {
  const result = schema.safeParse(present(source));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`invalid environment:\n${problems}`);
  }
  return result.data;
}

// The Shopify app's section. In production every variable is required and a missing one stops the process
// with its name; in development and tests the defaults below let the app run locally (they are not secrets:
// nothing outside this machine accepts them).
const SHOPIFY_DEVELOPMENT_DEFAULTS = {
  SHOPIFY_API_KEY: "trailmark-development-api-key",
  SHOPIFY_API_SECRET: "trailmark-development-api-secret",
} as const;

/** Without SHOPIFY_APP_URL in development, the address this server listens on: links the admin prints then work. */
function localUrl(source: Source): string {
  const port = /^\d{1,5}$/.test(source.PORT?.trim() ?? "") ? source.PORT?.trim() : "3000";
  return `http://localhost:${port}`;
}

const HttpUrlSchema = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://app.example.com" })
  .transform((url) => url.replace(/\/+$/, ""));

export const ShopifyEnvSchema = z.object({
  NODE_ENV: z.string().default("development"),
  SHOPIFY_API_KEY: z.string().trim().min(1, "is required"),
  SHOPIFY_API_SECRET: z.string().trim().min(1, "is required"),
  SHOPIFY_APP_URL: HttpUrlSchema,
});
export type ShopifyEnv = z.infer<typeof ShopifyEnvSchema>;

/** The Shopify app's section; throws an Error naming every missing or malformed variable. */
export function parseShopifyEnv(source: Source = process.env): ShopifyEnv {
  const production = source.NODE_ENV === "production";
  const input: Source = { ...source };
  for (const [name, fallback] of Object.entries({
    ...SHOPIFY_DEVELOPMENT_DEFAULTS,
    SHOPIFY_APP_URL: localUrl(source),
  })) {
    if (!input[name]?.trim()) input[name] = production ? undefined : fallback;
  }
  const result = ShopifyEnvSchema.safeParse(present(input));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    return `${name} ${input[name] === undefined ? "is required" : issue.message}`;
  });
  throw new Error(`invalid environment for the Shopify app: ${problems.join("; ")}`);
}
