import { describe, expect, it } from "vitest";
import { DEFAULT_DATABASE_URL } from "../db/client.ts";
import { providersFromEnv } from "../payouts/providers-from-env.ts";
import { CoreEnvSchema, DEFAULT_RECONCILE_INTERVAL_MS, EnvSchema, parseEnv } from "./env.ts";

describe("the core environment", () => {
  it("prints sign-in links unless SMTP_URL is set, and has a default sender", () => {
    const env = parseEnv(CoreEnvSchema, {});
    expect(env.SMTP_URL).toBeUndefined();
    expect(env.MAIL_FROM).toBe("Trailmark <no-reply@localhost>");
    expect(parseEnv(CoreEnvSchema, { SMTP_URL: "" }).SMTP_URL).toBeUndefined();
  });

  it("takes smtp:// and smtps:// URLs and the sender", () => {
    const env = parseEnv(CoreEnvSchema, {
      SMTP_URL: "smtps://user:p%40ss@mail.example.com:465",
      MAIL_FROM: "Shop <hello@example.com>",
    });
    expect(env.SMTP_URL).toBe("smtps://user:p%40ss@mail.example.com:465");
    expect(env.MAIL_FROM).toBe("Shop <hello@example.com>");
    expect(parseEnv(CoreEnvSchema, { SMTP_URL: "smtp://localhost:1025" }).SMTP_URL).toBe("smtp://localhost:1025");
  });

  it("names SMTP_URL when it is not an SMTP URL", () => {
    expect(() => parseEnv(CoreEnvSchema, { SMTP_URL: "https://mail.example.com" })).toThrow(
      /SMTP_URL: must be an smtp/,
    );
  });
});

describe("one parsing of the environment for every part", () => {
  it("reads yes/no variables the same way everywhere: true/1/yes/on, false/0/no/off, any case", () => {
    for (const yes of ["true", "1", "TRUE", "Yes", "on", " true "]) {
      expect(parseEnv(EnvSchema, { TRUST_PROXY: yes }).TRUST_PROXY).toBe(true);
    }
    for (const no of ["false", "0", "FALSE", "no", "off"]) {
      expect(parseEnv(EnvSchema, { TRUST_PROXY: no }).TRUST_PROXY).toBe(false);
    }
    expect(parseEnv(EnvSchema, {}).TRUST_PROXY).toBe(false);
    expect(parseEnv(EnvSchema, { TRUST_PROXY: "" }).TRUST_PROXY).toBe(false);
    expect(() => parseEnv(EnvSchema, { TRUST_PROXY: "maybe" })).toThrow(/TRUST_PROXY: must be true or false/);
  });

  it("counts an empty string as unset, as deployment tools' forms leave it", () => {
    const env = parseEnv(EnvSchema, { PORT: "", HOST: "", DATABASE_URL: "", WOO_RECONCILE_INTERVAL_MS: "" });
    expect(env.PORT).toBe(3000);
    expect(env.HOST).toBe("0.0.0.0");
    expect(env.DATABASE_URL).toBe(DEFAULT_DATABASE_URL);
    expect(env.WOO_RECONCILE_INTERVAL_MS).toBe(DEFAULT_RECONCILE_INTERVAL_MS);
  });

  it("has the bridge's section beside the server's", () => {
    expect(parseEnv(EnvSchema, { WOO_RECONCILE_INTERVAL_MS: "60000", PORT: "8080" })).toMatchObject({
      WOO_RECONCILE_INTERVAL_MS: 60_000,
      PORT: 8080,
    });
    expect(() => parseEnv(EnvSchema, { WOO_RECONCILE_INTERVAL_MS: "5" })).toThrow(/WOO_RECONCILE_INTERVAL_MS/);
  });
});

describe("the payout providers' section", () => {
  it("configures Stripe and PayPal only with their keys, ignoring empty ones as compose files leave them", () => {
    const env = parseEnv(EnvSchema, { STRIPE_SECRET_KEY: "", PAYPAL_CLIENT_ID: "" });
    expect([env.STRIPE_SECRET_KEY, env.PAYPAL_CLIENT_ID]).toEqual([undefined, undefined]);
    expect(Object.keys(providersFromEnv({ STRIPE_SECRET_KEY: "" })).sort()).toEqual(["manual"]);
    expect(
      Object.keys(
        providersFromEnv({ STRIPE_SECRET_KEY: "sk_test_1", PAYPAL_CLIENT_ID: "id", PAYPAL_CLIENT_SECRET: "secret" }),
      ).sort(),
    ).toEqual(["manual", "paypal", "stripe"]);
  });

  it("names a timeout that is not a number of milliseconds", () => {
    expect(() => providersFromEnv({ PAYOUT_PROVIDER_TIMEOUT_MS: "soon" })).toThrow(/PAYOUT_PROVIDER_TIMEOUT_MS/);
    expect(() => parseEnv(EnvSchema, { PAYPAL_API_BASE: "sandbox" })).toThrow(/PAYPAL_API_BASE/);
  });
});
