import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// One writer per table: the outbox (outbox.ts) is the only writer of CreatorMail, so every mail goes through
// enqueueCreatorMail and its dedup key; mail-settings.ts is the only writer of CreatorMailSetting.
const ROOT = join(import.meta.dirname, "../../..");
const SOURCES = ["core/src", "shopify-app/app", "shopify-app/server", "woocommerce-bridge/src", "scripts"];
const WRITERS: { table: RegExp; writer: string }[] = [
  {
    table:
      /\bcreatorMail\.(create|createMany|update|updateMany|upsert|delete|deleteMany)\b|\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"CreatorMail"|(insertRows|upsertRows)\([^)]*"CreatorMail"/,
    writer: "core/src/mail/outbox.ts",
  },
  {
    table: /\bcreatorMailSetting\.(create|createMany|update|updateMany|upsert|delete|deleteMany)\b/,
    writer: "core/src/mail/mail-settings.ts",
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === "node_modules" || entry.name === "generated" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("the creator mail tables", () => {
  it("each have one writer", () => {
    const offenders: string[] = [];
    for (const file of SOURCES.flatMap((s) => sourceFiles(join(ROOT, s)))) {
      const path = relative(ROOT, file);
      if (/\.test\.tsx?$|test-kit\.ts$|\/testing\//.test(path)) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          for (const w of WRITERS)
            if (path !== w.writer && w.table.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it("catches a write outside them", () => {
    expect(WRITERS[0]!.table.test("await tx.creatorMail.updateMany({ where, data });")).toBe(true);
    expect(WRITERS[0]!.table.test('await upsertRows(tx, "CreatorMail", rows, options);')).toBe(true);
    expect(WRITERS[0]!.table.test("await db.creatorMail.findMany({ where });")).toBe(false);
    expect(WRITERS[1]!.table.test("await db.creatorMailSetting.upsert({ where });")).toBe(true);
  });
});
