import { describe, expect, it } from "vitest";
import { isAllowedExitDestination } from "../app/exit-iframe.server.ts";
import { embeddedFrameAncestors } from "../app/framing.server.ts";
import {
  createSignInGate,
  guardRequest,
  isForeignOrigin,
  isSignInPost,
  MAX_FORM_BYTES,
  SIGN_INS_IN_FLIGHT,
  withFraming,
} from "./http-edges.ts";

// The Remix app's edges as plain functions: Request in, Request or Response out. The same behaviour over real
// HTTP on `npm start` is in scripts/hostile-requests.e2e.test.ts.

const APP = "https://trailmark.test";

describe("isForeignOrigin", () => {
  it("refuses what Remix would throw on, and only that", () => {
    const at = (origin: string | null, host = "trailmark.test", forwarded?: string) => {
      const headers = new Headers({ host });
      if (origin !== null) headers.set("origin", origin);
      if (forwarded) headers.set("x-forwarded-host", forwarded);
      return isForeignOrigin(headers);
    };
    expect(at(null)).toBe(false);
    expect(at("https://trailmark.test")).toBe(false);
    expect(at("http://trailmark.test")).toBe(false);
    expect(at("https://evil.test")).toBe(true);
    expect(at("null")).toBe(true);
    expect(at("not a url")).toBe(true);
    expect(at("https://public.example", "internal:3000", "public.example")).toBe(false);
  });
});

describe("guardRequest", () => {
  const post = (body: BodyInit | null, headers: Record<string, string>) =>
    new Request(`${APP}/admin/login`, { method: "POST", body, headers });

  it("passes a form on, readable once more", async () => {
    const passed = await guardRequest(post("a=1&b=2", { "content-type": "application/x-www-form-urlencoded" }));
    expect(passed).toBeInstanceOf(Request);
    expect((await (passed as Request).formData()).get("b")).toBe("2");
  });

  it("refuses a body that is not a form, a malformed form and one over the limit", async () => {
    const json = (await guardRequest(
      post("{}", { "content-type": "application/json", "content-length": "2" }),
    )) as Response;
    expect(json.status).toBe(415);
    const multipart = (await guardRequest(
      post("nope", { "content-type": "multipart/form-data; boundary=x" }),
    )) as Response;
    expect(multipart.status).toBe(400);
    const big = (await guardRequest(
      post("a=".padEnd(MAX_FORM_BYTES + 10, "x"), { "content-type": "application/x-www-form-urlencoded" }),
    )) as Response;
    expect(big.status).toBe(413);
  });

  it("refuses a shop parameter that is no shop domain on Shopify's pages, whatever the method", async () => {
    const bad = (await guardRequest(new Request(`${APP}/auth/session-token?shop=%F0%9F%9C%AD`))) as Response;
    expect(bad.status).toBe(400);
    expect(await guardRequest(new Request(`${APP}/auth/session-token?shop=a-shop.myshopify.com`))).toBeInstanceOf(
      Request,
    );
    // /auth/login says so on its own page.
    expect(await guardRequest(new Request(`${APP}/auth/login?shop=%F0%9F%9C%AD`))).toBeInstanceOf(Request);
  });
});

describe("withFraming", () => {
  it("denies framing outside the embedded admin, also on responses with immutable headers", () => {
    const redirect = withFraming("/admin", Response.redirect(`${APP}/admin/login`, 302));
    expect(redirect.headers.get("x-frame-options")).toBe("DENY");
    expect(redirect.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    const withCsp = withFraming(
      "/admin",
      new Response("", { headers: { "content-security-policy": "default-src 'self'" } }),
    );
    expect(withCsp.headers.get("content-security-policy")).toBe("default-src 'self'; frame-ancestors 'none'");
    expect(withFraming("/app/campaigns", new Response("")).headers.get("x-frame-options")).toBeNull();
  });

  it("names only a verified shop domain as a frame ancestor of the embedded admin", () => {
    expect(embeddedFrameAncestors("a-shop.myshopify.com")).toBe(
      "frame-ancestors https://a-shop.myshopify.com https://admin.shopify.com;",
    );
    expect(embeddedFrameAncestors("evil.test; script-src *")).toBe("frame-ancestors https://admin.shopify.com;");
    expect(embeddedFrameAncestors(null)).toBe("frame-ancestors https://admin.shopify.com;");
  });
});

describe("isAllowedExitDestination", () => {
  it("allows the app, the named shop's admin and Shopify admin, over https", () => {
    const shop = "a-shop.myshopify.com";
    for (const ok of [
      "/auth?shop=a-shop.myshopify.com",
      `${APP}/app`,
      "https://a-shop.myshopify.com/admin/oauth/authorize?x=1",
      "https://admin.shopify.com/store/a-shop",
    ]) {
      expect(isAllowedExitDestination(ok, shop, APP), ok).toBe(true);
    }
    for (const bad of [
      null,
      "https://evil.test/phish",
      "//evil.test",
      "/\\evil.test",
      "https://a-shop.myshopify.com/pages/x",
      "https://b-shop.myshopify.com/admin",
      "https://admin.shopify.com:8443/",
      "https://user@admin.shopify.com/",
      "http://admin.shopify.com/",
      "javascript:alert(1)",
    ]) {
      expect(isAllowedExitDestination(bad, shop, APP), String(bad)).toBe(false);
    }
    expect(isAllowedExitDestination("/auth", shop, "http://localhost:3000")).toBe(false);
  });
});

describe("the sign-in gate", () => {
  it("bounds sign-in posts however their path is spelled, and nothing else", () => {
    for (const target of [
      "/admin/login",
      "/admin/login/",
      "/admin/login?next=%2Fadmin%2Fcampaigns",
      "/admin/login.data",
      "/admin/login/link",
      "/admin/login/link.data",
      "/ADMIN/Login",
      "/admin//login",
      "//admin/login",
      "/admin/%6Cogin",
      "/other/../admin/login",
    ]) {
      expect(isSignInPost("POST", target), target).toBe(true);
    }
    for (const [method, target] of [
      ["GET", "/admin/login"],
      ["HEAD", "/admin/login"],
      ["POST", "/admin/logout"],
      ["POST", "/admin/login-help"],
      ["POST", "/admin"],
      ["POST", "/app/login"],
    ] as const) {
      expect(isSignInPost(method, target), `${method} ${target}`).toBe(false);
    }
  });

  it("lets SIGN_INS_IN_FLIGHT sign-ins in at once", () => {
    const gate = createSignInGate();
    const slots = Array.from({ length: SIGN_INS_IN_FLIGHT }, () => gate.enter());
    expect(slots.every((slot) => slot !== null)).toBe(true);
    expect(gate.enter()).toBeNull();
    expect(gate.refusal.status).toBe(429);
    slots[0]!();
    slots[0]!();
    expect(gate.inFlight()).toBe(SIGN_INS_IN_FLIGHT - 1);
    expect(gate.enter()).not.toBeNull();
  });
});
