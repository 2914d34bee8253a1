import { describe, expect, it } from "vitest";
import { isClickId } from "../links/click-id.ts";
import { orderedClickId } from "./click-id-source.ts";

describe("orderedClickId", () => {
  it("has the public click id format", () => {
    for (let i = 0; i < 1_000; i++) expect(isClickId(orderedClickId(Date.now()))).toBe(true);
  });

  it("sorts by the time of the click", () => {
    const times = [0, 1, 61, 62, 1_700_000_000_000, 1_700_000_000_001, Date.parse("2100-01-01T00:00:00Z")];
    const ids = times.map(orderedClickId);
    expect([...ids].sort()).toEqual(ids);
  });

  it("does not repeat within one millisecond", () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => orderedClickId(1_700_000_000_000)));
    expect(ids.size).toBe(100_000);
  });
});
