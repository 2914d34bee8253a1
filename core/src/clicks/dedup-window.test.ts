import { describe, expect, it } from "vitest";
import { DedupWindow } from "./dedup-window.ts";

describe("DedupWindow", () => {
  it("treats a key as recent for one window after it was remembered", () => {
    const w = new DedupWindow(1_000);
    w.remember("a", 10_000);
    expect(w.isRecent("a", 10_999)).toBe(true);
    expect(w.isRecent("a", 11_000)).toBe(false);
    expect(w.isRecent("b", 10_500)).toBe(false);
  });

  it("sweeps expired entries as new ones arrive", () => {
    const w = new DedupWindow(1_000);
    w.remember("a", 0);
    w.remember("b", 500);
    w.remember("c", 1_200);
    expect(w.size).toBe(2);
  });

  it("drops the oldest entries beyond its capacity", () => {
    const w = new DedupWindow(1_000, 2);
    w.remember("a", 1);
    w.remember("b", 2);
    w.remember("c", 3);
    expect(w.isRecent("a", 4)).toBe(false);
    expect(w.isRecent("c", 4)).toBe(true);
  });

  it("forgets a remembered click only if no newer one replaced it", () => {
    const w = new DedupWindow(10_000);
    w.remember("a", 1);
    w.forget("a", 1);
    expect(w.isRecent("a", 2)).toBe(false);
    w.remember("a", 3);
    w.forget("a", 1);
    expect(w.isRecent("a", 4)).toBe(true);
  });
});
