import { describe, expect, it } from "vitest";
import { pageTitle } from "./titles.ts";

describe("page titles", () => {
  it("names each admin section the same way in both shells", () => {
    for (const shell of ["/admin", "/app"]) {
      expect(pageTitle(shell)).toBe("Overview · Trailmark");
      expect(pageTitle(`${shell}/`)).toBe("Overview · Trailmark");
      expect(pageTitle(`${shell}/campaigns`)).toBe("Campaigns · Trailmark");
      expect(pageTitle(`${shell}/campaigns/new`)).toBe("New campaign · Trailmark");
      expect(pageTitle(`${shell}/campaigns/cmp_123`)).toBe("Campaign · Trailmark");
      expect(pageTitle(`${shell}/conversions/cv_1`)).toBe("Conversion · Trailmark");
      expect(pageTitle(`${shell}/models`)).toBe("Model comparison · Trailmark");
      expect(pageTitle(`${shell}/settings`)).toBe("Settings · Trailmark");
    }
  });

  it("titles the sign-in pages and the front door", () => {
    expect(pageTitle("/admin/login")).toBe("Sign in · Trailmark");
    expect(pageTitle("/admin/login/link")).toBe("Sign in · Trailmark");
    expect(pageTitle("/auth/login")).toBe("Sign in · Trailmark");
    expect(pageTitle("/")).toMatch(/^Trailmark — /);
  });

  it("does not take a look-alike path for an admin page", () => {
    expect(pageTitle("/administrator")).toBe("Trailmark");
    expect(pageTitle("/apps/x")).toBe("Trailmark");
  });
});
