import { describe, expect, it } from "vitest";
import { createGroupCommit, type GroupOutcome } from "./group-commit.ts";

describe("group commit", () => {
  it("writes items added in the same turn as one group and acknowledges each after its write", async () => {
    const groups: number[][] = [];
    const commits = createGroupCommit<number, string>({
      maxBatch: 100,
      maxInFlight: 1,
      async write(items) {
        groups.push(items);
        return items.map((n) => `row-${n}`);
      },
    });
    const results = await Promise.all([1, 2, 3].map((n) => commits.add(n)));
    expect(groups).toEqual([[1, 2, 3]]);
    expect(results).toEqual([1, 2, 3].map((n) => ({ ok: true, value: `row-${n}` })));
  });

  it("splits at maxBatch and keeps no more groups in flight than allowed", async () => {
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    const commits = createGroupCommit<number, number>({
      maxBatch: 4,
      maxInFlight: 2,
      async write(items) {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        sizes.push(items.length);
        return items;
      },
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => commits.add(i)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(most).toBe(2);
  });

  it("when a group fails, writes its items one by one so only the bad one fails", async () => {
    const outcomes: GroupOutcome[] = [];
    const commits = createGroupCommit<number, number>({
      maxBatch: 100,
      maxInFlight: 1,
      async write(items) {
        if (items.includes(13)) throw new Error("bad row 13");
        return items;
      },
      onGroup: (outcome) => outcomes.push(outcome),
    });
    const results = await Promise.all([11, 12, 13, 14].map((n) => commits.add(n)));
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
    expect(results[2]).toMatchObject({ ok: false, error: new Error("bad row 13") });
    expect(outcomes).toEqual([{ size: 4, failed: 1, error: new Error("bad row 13") }]);
  });

  it("drain waits for every item added so far", async () => {
    const written: number[] = [];
    const commits = createGroupCommit<number, number>({
      maxBatch: 2,
      maxInFlight: 1,
      async write(items) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        written.push(...items);
        return items;
      },
    });
    for (let i = 0; i < 5; i++) void commits.add(i);
    await commits.drain();
    expect(written.sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
