import { describe, expect, it } from "vitest";
import { slugify } from "./slugify.ts";
import { prepareDestination, type TrackingParams } from "./tracked-destination.ts";

const PARAMS: TrackingParams = {
  campaignName: "Summer Sale 2026",
  creatorName: "Zoë Martin",
  campaignId: "cp_1",
  creatorId: "cr_1",
  lookbackDays: 14,
};

describe("prepareDestination", () => {
  it("keeps the existing query and fragment and appends the tracking parameters", () => {
    const d = prepareDestination("https://shop.example/p/mug?color=blue&size=L#reviews", PARAMS)!;
    expect(d.plain).toBe("https://shop.example/p/mug?color=blue&size=L#reviews");
    expect(d.tracked("tm_AAAABBBBCCCCDDDD")).toBe(
      "https://shop.example/p/mug?color=blue&size=L&utm_source=trailmark&utm_medium=influencer" +
        "&utm_campaign=summer-sale-2026&utm_content=zoe-martin&tm_lb=14&utm_id=tm_AAAABBBBCCCCDDDD" +
        "&tm_click=tm_AAAABBBBCCCCDDDD#reviews",
    );
  });

  it("replaces the merchant's own utm and tm values but keeps every other parameter byte for byte", () => {
    const d = prepareDestination(
      "https://shop.example/?utm_source=ig&a=%7Ex+y&utm_id=old&b&tm_click=x&%75tm_medium=z",
      PARAMS,
    )!;
    const url = new URL(d.tracked("tm_0123456789abcdef"));
    expect(url.search.startsWith("?a=%7Ex+y&b&utm_source=trailmark")).toBe(true);
    expect(url.searchParams.getAll("utm_source")).toEqual(["trailmark"]);
    expect(url.searchParams.getAll("utm_medium")).toEqual(["influencer"]);
    expect(url.searchParams.getAll("utm_id")).toEqual(["tm_0123456789abcdef"]);
    expect(url.searchParams.getAll("tm_click")).toEqual(["tm_0123456789abcdef"]);
  });

  it("works without a query or fragment", () => {
    const d = prepareDestination("https://shop.example", PARAMS)!;
    expect(d.plain).toBe("https://shop.example/");
    expect(d.tracked("tm_x")).toMatch(/^https:\/\/shop\.example\/\?utm_source=trailmark&.*&tm_click=tm_x$/);
  });

  it("yields ASCII Location values for international domains and paths", () => {
    const d = prepareDestination("https://bücher.example/straße?q=ü", PARAMS)!;
    expect(d.plain).toBe("https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC");
  });

  it("rejects destinations that are not absolute http(s) URLs", () => {
    expect(prepareDestination("javascript:alert(1)", PARAMS)).toBeNull();
    expect(prepareDestination("/relative", PARAMS)).toBeNull();
    expect(prepareDestination("data:text/html,hi", PARAMS)).toBeNull();
  });

  it("falls back to the ids when a name has nothing to slug", () => {
    const d = prepareDestination("https://shop.example/", { ...PARAMS, campaignName: "🔥🔥", creatorName: "✨" })!;
    const url = new URL(d.tracked("tm_x"));
    expect(url.searchParams.get("utm_campaign")).toBe("cp-1");
    expect(url.searchParams.get("utm_content")).toBe("cr-1");
  });
});

describe("slugify", () => {
  it("lower-cases, strips accents and joins words with dashes", () => {
    expect(slugify("  Black Friday — Ünïcode Édition!! ")).toBe("black-friday-unicode-edition");
  });

  it("caps the length without a trailing dash", () => {
    expect(slugify("a".repeat(63) + " b", 64)).toBe("a".repeat(63));
  });
});
