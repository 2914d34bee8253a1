import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { utcDayNumber, VISITOR_HASH_HEX_LENGTH, visitorHash } from "./visitor-hash.ts";

describe("visitorHash", () => {
  const day = utcDayNumber(Date.parse("2026-11-25T12:00:00Z"));

  it("is stable for the same store, day, IP and user agent", () => {
    const a = visitorHash("k", day, "203.0.113.7", "UA");
    expect(a).toBe(visitorHash("k", day, "203.0.113.7", "UA"));
    expect(a).toMatch(new RegExp(`^[0-9a-f]{${VISITOR_HASH_HEX_LENGTH}}$`));
  });

  it("changes with the day, the store key, the IP and the user agent", () => {
    const a = visitorHash("k", day, "203.0.113.7", "UA");
    expect(visitorHash("k", day + 1, "203.0.113.7", "UA")).not.toBe(a);
    expect(visitorHash("other", day, "203.0.113.7", "UA")).not.toBe(a);
    expect(visitorHash("k", day, "203.0.113.8", "UA")).not.toBe(a);
    expect(visitorHash("k", day, "203.0.113.7", "UA2")).not.toBe(a);
  });

  it("is HMAC-SHA256 keyed by store key and day, whichever key was used last", () => {
    const expected = (key: string, d: number, message: string) =>
      createHmac("sha256", `${key}\u0000${d}`).update(message).digest("hex").slice(0, VISITOR_HASH_HEX_LENGTH);
    for (const [key, d] of [
      ["k", day],
      ["other", day],
      ["k", day + 1],
      ["k", day],
    ] as const) {
      expect(visitorHash(key, d, "203.0.113.7", "UA ü")).toBe(expected(key, d, "203.0.113.7\u0000UA ü"));
    }
    expect(visitorHash("k", day, null, "UA")).toBe(expected("k", day, "\u0000UA"));
  });

  it("turns over at midnight UTC", () => {
    expect(utcDayNumber(Date.parse("2026-11-25T23:59:59.999Z"))).toBe(day);
    expect(utcDayNumber(Date.parse("2026-11-26T00:00:00Z"))).toBe(day + 1);
  });
});
