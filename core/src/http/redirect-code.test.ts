import { describe, expect, it } from "vitest";
import { linkCodeFromUrl } from "./redirect-code.ts";

describe("linkCodeFromUrl", () => {
  it("reads the code from /c/:code with or without a query, fragment or trailing slash", () => {
    expect(linkCodeFromUrl("https://t.example/c/abc_DEF-123")).toBe("abc_DEF-123");
    expect(linkCodeFromUrl("https://t.example/c/abc?x=1")).toBe("abc");
    expect(linkCodeFromUrl("https://t.example/c/abc#top")).toBe("abc");
    expect(linkCodeFromUrl("https://t.example/c/abc/")).toBe("abc");
  });

  it("reads a bare request target, whatever URL its query carries", () => {
    expect(linkCodeFromUrl("/c/abc")).toBe("abc");
    expect(linkCodeFromUrl("/c/abc?url=https://evil.example/c/zzz")).toBe("abc");
    expect(linkCodeFromUrl("https://t.example/c/abc?next=https://evil.example/c/zzz")).toBe("abc");
    expect(linkCodeFromUrl("/x/abc?u=https://t.example/c/abc")).toBeNull();
  });

  it("rejects malformed codes and other paths", () => {
    expect(linkCodeFromUrl("https://t.example/c/ab")).toBeNull();
    expect(linkCodeFromUrl(`https://t.example/c/${"a".repeat(65)}`)).toBeNull();
    expect(linkCodeFromUrl("https://t.example/c/ab%2Fcd")).toBeNull();
    expect(linkCodeFromUrl("https://t.example/c/abc/def")).toBeNull();
    expect(linkCodeFromUrl("https://t.example/x/abc")).toBeNull();
    expect(linkCodeFromUrl("https://t.example")).toBeNull();
  });
});
