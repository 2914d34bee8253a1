import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// The ledger is the only writer of commissions, their adjustments, budget entries and Campaign.budgetUsed:
// a write anywhere else would bypass the locking and the budget bookkeeping that keep caps and payouts right.
const ROOT = join(import.meta.dirname, "../../..");
const SOURCES = ["core/src", "shopify-app/app", "shopify-app/server", "woocommerce-bridge/src", "scripts"];
const WRITES = [
  /\b(commission|commissionAdjustment|budgetEntry)\.(create|createMany|update|updateMany|upsert|delete|deleteMany)\b/,
  /budgetUsed:\s*\{\s*(increment|decrement)/,
  /\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"(Commission|CommissionAdjustment|BudgetEntry)"/i,
  /\b(insertRows|upsertRows)\([^)]*"(Commission|CommissionAdjustment|BudgetEntry)"/,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === "node_modules" || entry.name === "generated" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Tests and their fixtures (test kits, testing/ folders) set up data directly; they are not the product. */
function isTestSupport(path: string): boolean {
  return /\.test\.tsx?$|test-kit\.ts$|\/testing\//.test(path);
}

describe("the ledger", () => {
  it("is the only writer of Commission, CommissionAdjustment, BudgetEntry and Campaign.budgetUsed", () => {
    const offenders: string[] = [];
    for (const file of SOURCES.flatMap((s) => sourceFiles(join(ROOT, s)))) {
      const path = relative(ROOT, file);
      if (path.startsWith("core/src/ledger/") || isTestSupport(path)) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (WRITES.some((w) => w.test(line))) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it("catches a write outside it", () => {
    const line = "await tx.commission.updateMany({ where, data: { payoutId: null } });";
    expect(WRITES.some((w) => w.test(line))).toBe(true);
    expect(WRITES.some((w) => w.test("await tx.campaign.update({ data: { budgetUsed: { increment: 5 } } });"))).toBe(
      true,
    );
    expect(WRITES.some((w) => w.test('UPDATE "Commission" SET "paidAmount" = 1'))).toBe(true);
  });
});
