import { describe, expect, it } from "vitest";
import { countryFromHeaders, referrerHost } from "./request-signals.ts";

describe("countryFromHeaders", () => {
  it("reads cf-ipcountry first, then x-country-code", () => {
    expect(countryFromHeaders(new Headers({ "cf-ipcountry": "de", "x-country-code": "FR" }))).toBe("DE");
    expect(countryFromHeaders(new Headers({ "x-country-code": "FR" }))).toBe("FR");
  });

  it("ignores unknown and malformed values", () => {
    expect(countryFromHeaders(new Headers({ "cf-ipcountry": "XX" }))).toBeNull();
    expect(countryFromHeaders(new Headers({ "cf-ipcountry": "Germany" }))).toBeNull();
    expect(countryFromHeaders(new Headers())).toBeNull();
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
