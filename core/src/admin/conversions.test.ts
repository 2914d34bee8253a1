import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvField } from "../shared/csv.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import {
  CSV_COLUMNS,
  conversionFilterFrom,
  conversionJourney,
  conversionsCsvLines,
  exportConversionsCsv,
  listConversions,
} from "./conversions.ts";
import { type AdminProgram, seedAdminProgram } from "./test-program.ts";

let database: TestDatabase;
let program: AdminProgram;
let other: AdminProgram;
beforeAll(async () => {
  database = await createTestDatabase();
  program = await seedAdminProgram(database.db);
  other = await seedAdminProgram(database.db);
});
afterAll(async () => {
  await database.destroy();
});

describe("listConversions", () => {
  it("lists the store's orders and sign-ups newest first with each creator's credit and commission", async () => {
    const page = await listConversions(database.db, program.store.id, {});
    expect(page.total).toBe(6);
    expect(page.items.map((c) => c.orderNumber ?? c.kind)).toEqual([
      "#1005",
      "#1004",
      "#1003",
      "#1002",
      "#1001",
      "sign_up",
    ]);
    const shared = page.items.find((c) => c.orderNumber === "#1001")!;
    expect(shared).toMatchObject({ status: "attributed", value: 20_000, campaignName: "Spring" });
    expect(shared.creators).toEqual([
      expect.objectContaining({
        name: "Ben",
        weightPpm: 1_000_000,
        credit: 20_000,
        commission: expect.objectContaining({ status: "pending", amount: 2_000 }),
      }),
    ]);
    const refunded = page.items.find((c) => c.orderNumber === "#1002")!;
    expect(refunded.refunded).toBe(3_000);
    expect(refunded.creators[0]!.commission).toMatchObject({ amount: 700, original: 1_000 });
  });

  it("shows the rule that rejected a conversion", async () => {
    const page = await listConversions(database.db, program.store.id, { status: "rejected" });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ orderNumber: "#1004", rejectRule: "test_order" });
    expect(page.items[0]!.creators[0]!.commission).toMatchObject({
      status: "rejected",
      rule: "test_order",
      original: 1_000,
    });
  });

  it("filters by kind, campaign and creator, and finds an order by its number with or without #", async () => {
    const { db } = database;
    const id = program.store.id;
    expect((await listConversions(db, id, { kind: "sign_up" })).items.map((c) => c.kind)).toEqual(["sign_up"]);
    const ada = program.creators[0]!.id;
    expect((await listConversions(db, id, { creatorId: ada })).items.map((c) => c.orderNumber ?? c.kind)).toEqual([
      "#1002",
      "sign_up",
    ]);
    expect((await listConversions(db, id, { campaignId: program.campaign.id })).total).toBe(5);
    expect((await listConversions(db, id, { q: "1003" })).items.map((c) => c.orderNumber)).toEqual(["#1003"]);
    expect((await listConversions(db, id, { q: "#1003" })).items.map((c) => c.orderNumber)).toEqual(["#1003"]);
    expect((await listConversions(db, id, { q: "9999" })).total).toBe(0);
  });

  it("pages", async () => {
    const { db } = database;
    const first = await listConversions(db, program.store.id, {}, { pageSize: 4 });
    const second = await listConversions(db, program.store.id, {}, { pageSize: 4, page: 2 });
    expect([first.pages, first.items.length, second.items.length]).toEqual([2, 4, 2]);
    expect(new Set([...first.items, ...second.items].map((c) => c.id)).size).toBe(6);
    expect((await listConversions(db, program.store.id, {}, { pageSize: 4, page: 99 })).page).toBe(2);
  });

  it("never shows another store's conversions, even when asked for its creator or order number", async () => {
    const { db } = database;
    expect((await listConversions(db, program.store.id, { creatorId: other.creators[0]!.id })).total).toBe(0);
    const q = `1001-${other.store.id}`;
    expect((await listConversions(db, program.store.id, { q })).total).toBe(0);
    expect((await listConversions(db, other.store.id, { q })).total).toBe(1);
  });

  it("reads the filter from search parameters, ignoring values it does not know", () => {
    const params = new URLSearchParams({ kind: "purchase", status: "bogus", q: " 1001 ", campaignId: "" });
    expect(conversionFilterFrom(params)).toEqual({ kind: "purchase", q: "1001" });
  });
});

describe("conversionJourney", () => {
  it("puts an order's clicks on a timeline with the credit each got, ending with the conversion", async () => {
    const conversionId = program.orders.shared.conversionId;
    const journey = await conversionJourney(database.db, program.store.id, conversionId);
    expect(journey.model).toBe("last_click");
    expect(journey.steps.map((s) => [s.type, s.creatorName, s.credit?.amount ?? null])).toEqual([
      ["click", "Ada", null],
      ["click", "Ben", 20_000],
      ["conversion", null, null],
    ]);
    expect(journey.conversion.creators[0]!.commission).toMatchObject({ status: "pending", amount: 2_000 });
  });

  it("shows a sign-up's visit: the click, the pages viewed, then the sign-up", async () => {
    const journey = await conversionJourney(database.db, program.store.id, program.signUp.id);
    expect(journey.steps.map((s) => s.type)).toEqual(["click", "page_view", "page_view", "conversion"]);
    expect(journey.steps[2]!.url).toMatch(/\/pricing$/);
    expect(journey.conversion.creators[0]).toMatchObject({
      name: "Ada",
      commission: expect.objectContaining({ amount: 200 }),
    });
  });

  it("names the rule of a rejected conversion", async () => {
    const journey = await conversionJourney(database.db, program.store.id, program.orders.rejected.conversionId);
    expect(journey.conversion).toMatchObject({ status: "rejected", rejectRule: "test_order" });
    expect(journey.conversion.rejectReason).toBeTruthy();
  });

  it("does not find another store's conversion", async () => {
    await expect(
      conversionJourney(database.db, program.store.id, other.orders.shared.conversionId),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("CSV export", () => {
  it("writes one row per creator share with money as decimals", async () => {
    const chunks: string[] = [];
    for await (const chunk of exportConversionsCsv(database.db, program.store.id, {})) chunks.push(chunk);
    const lines = chunks.join("").trimEnd().split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines).toHaveLength(1 + 6);
    const refunded = lines.find((l) => l.includes("#1002"))!.split(",");
    const col = (name: (typeof CSV_COLUMNS)[number]) => refunded[CSV_COLUMNS.indexOf(name)];
    expect([
      col("value"),
      col("refunded"),
      col("creator"),
      col("credit"),
      col("commission"),
      col("commission_status"),
    ]).toEqual(["100.00", "30.00", "Ada", "100.00", "7.00", "pending"]);
    const rejected = lines.find((l) => l.includes("#1004"))!;
    expect(rejected).toContain("test_order");
  });

  it("quotes separators and defuses spreadsheet formulas", () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("-5")).toBe("'-5");
    expect(csvField(-5)).toBe("-5");
    expect(csvField(null)).toBe("");
    expect(conversionsCsvLines([])).toEqual([CSV_COLUMNS.join(",")]);
  });
});
