import { describe, expect, it } from "vitest";
import { countryFrom, referrerHost } from "./request-signals.ts";

describe("countryFrom", () => {
  it("reads cf-ipcountry first, then x-country-code", () => {
    expect(countryFrom("de", "FR")).toBe("DE");
    expect(countryFrom(null, "FR")).toBe("FR");
  });

  it("ignores unknown and malformed values", () => {
    expect(countryFrom("XX", null)).toBeNull();
    expect(countryFrom("Germany", null)).toBeNull();
    expect(countryFrom(null, null)).toBeNull();
  });
});

describe("referrerHost", () => {
  it("keeps only the host of the referring URL", () => {
    expect(referrerHost("https://www.Instagram.com/p/abc?igsh=secret")).toBe("www.instagram.com");
    expect(referrerHost("https://user:pw@l.facebook.com:8443/l.php?u=x")).toBe("l.facebook.com");
    expect(referrerHost("http://[2001:db8::1]:8080/x")).toBe("[2001:db8::1]");
  });

  it("returns null for a missing or unparsable referrer", () => {
    expect(referrerHost(null)).toBeNull();
    expect(referrerHost("android-app://")).toBeNull();
    expect(referrerHost("not a url")).toBeNull();
  });
});
