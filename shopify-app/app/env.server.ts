import { z } from "zod";

// The Shopify app's environment, parsed once. In production every variable is required and a missing one stops
// the process at start-up with its name; in development and tests the defaults below let the app run locally
// (they are not secrets: nothing outside this machine accepts them).

const DEVELOPMENT_DEFAULTS = {
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

export const EnvSchema = z.object({
  NODE_ENV: z.string().default("development"),
  SHOPIFY_API_KEY: z.string().trim().min(1, "is required"),
  SHOPIFY_API_SECRET: z.string().trim().min(1, "is required"),
  SHOPIFY_APP_URL: HttpUrlSchema,
});
export type Env = z.infer<typeof EnvSchema>;

type Source = Record<string, string | undefined>;

/** Parses the environment; throws an Error naming every missing or malformed variable. */
export function parseEnv(source: Source = process.env): Env {
  const production = source.NODE_ENV === "production";
  const input: Source = { ...source };
  for (const [name, fallback] of Object.entries({ ...DEVELOPMENT_DEFAULTS, SHOPIFY_APP_URL: localUrl(source) })) {
    if (!input[name]?.trim()) input[name] = production ? undefined : fallback;
  }
  const result = EnvSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    return `${name} ${input[name] === undefined ? "is required" : issue.message}`;
  });
  throw new Error(`invalid environment for the Shopify app: ${problems.join("; ")}`);
}

let cached: Env | undefined;

/** The process's environment, parsed on first use. */
export function getEnv(): Env {
  cached ??= parseEnv();
  return cached;
}
