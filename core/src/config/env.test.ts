import { describe, expect, it } from "vitest";
import { CoreEnvSchema, parseEnv } from "./env.ts";

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
