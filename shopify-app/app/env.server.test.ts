import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.server.ts";

describe("parseEnv", () => {
  it("fails in production naming every missing variable", () => {
    expect(() => parseEnv({ NODE_ENV: "production", SHOPIFY_API_KEY: "key" })).toThrow(
      /SHOPIFY_API_SECRET is required; SHOPIFY_APP_URL is required/,
    );
  });

  it("names a malformed URL", () => {
    expect(() =>
      parseEnv({
        NODE_ENV: "production",
        SHOPIFY_API_KEY: "k",
        SHOPIFY_API_SECRET: "s",
        SHOPIFY_APP_URL: "app.example.com",
      }),
    ).toThrow(/SHOPIFY_APP_URL must be an http\(s\) URL/);
  });

  it("takes the production values as given, without a trailing slash on the URL", () => {
    const env = parseEnv({
      NODE_ENV: "production",
      SHOPIFY_API_KEY: "k",
      SHOPIFY_API_SECRET: "s",
      SHOPIFY_APP_URL: "https://app.example.com/",
    });
    expect(env).toEqual({
      NODE_ENV: "production",
      SHOPIFY_API_KEY: "k",
      SHOPIFY_API_SECRET: "s",
      SHOPIFY_APP_URL: "https://app.example.com",
    });
  });

  it("points at the port the server listens on when no URL is configured", () => {
    expect(parseEnv({ PORT: "8123" }).SHOPIFY_APP_URL).toBe("http://localhost:8123");
    expect(parseEnv({ PORT: "8123", SHOPIFY_APP_URL: "https://app.example.com" }).SHOPIFY_APP_URL).toBe(
      "https://app.example.com",
    );
  });

  it("runs in development with working defaults", () => {
    const env = parseEnv({ SHOPIFY_API_SECRET: "" });
    expect(env.SHOPIFY_APP_URL).toBe("http://localhost:3000");
    expect(env.SHOPIFY_API_SECRET.length).toBeGreaterThan(10);
  });
});
