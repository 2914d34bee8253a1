import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Campaign } from "../campaigns/campaign.ts";
import { EMPTY_COMMISSION_PLAN } from "../campaigns/commission-plan.ts";
import type { ResolvedTouch } from "../conversions/touches.ts";
import type { Creator } from "../creators/creator.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY } from "../testing/fixtures.ts";
import { compareModels, modelComparison } from "./model-comparison.ts";
import { type AdminProgram, seedAdminProgram, T0 } from "./test-program.ts";

const AT = Date.parse("2026-05-01T00:00:00Z");

function campaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: "cp_1",
    storeId: "st_1",
    name: "Spring",
    status: "active",
    goals: ["purchase"],
    attributionModel: "last_click",
    lookbackDays: 30,
    halfLifeDays: 7,
    commissionRules: { purchase: { type: "percentage", basisPoints: 1000 } },
    commissionBase: "items",
    commissionPlan: EMPTY_COMMISSION_PLAN,
    minOrderValue: 0,
    holdingDays: 30,
    budgetCap: null,
    budgetUsed: 0,
    currency: "USD",
    startsAt: null,
    endsAt: null,
    ...overrides,
  };
}

function creator(id: string, name: string): Creator {
  return { id, storeId: "st_1", name, email: null, emailHash: null, status: "active", commissionOverrides: {} };
}

function click(id: string, creatorId: string, daysBefore: number): ResolvedTouch {
  return { id, kind: "click", at: AT - daysBefore * DAY, campaignId: "cp_1", creatorId, qualification: "qualified" };
}

const facts = (value: number, isTest = false) => ({
  kind: "purchase" as const,
  value,
  currency: "USD",
  occurredAt: new Date(AT),
  isTest,
  customerEmailHash: null,
  duplicate: false,
});

describe("compareModels", () => {
  const campaigns = new Map([["cp_1", campaign()]]);
  const creators = new Map([
    ["cr_a", creator("cr_a", "Ada")],
    ["cr_b", creator("cr_b", "Ben")],
    ["cr_c", creator("cr_c", "Cy")],
  ]);
  const journey = [click("k1", "cr_a", 10), click("k2", "cr_b", 5), click("k3", "cr_c", 1)];

  it("gives the whole value to the last, first or spread creators as each model says", () => {
    const result = compareModels([{ touches: journey, facts: facts(30_000) }], campaigns, creators);
    const credit = (model: keyof typeof result.totals, id: string) =>
      result.creators.find((c) => c.creatorId === id)?.byModel[model].credit ?? 0;
    expect([credit("last_click", "cr_a"), credit("last_click", "cr_b"), credit("last_click", "cr_c")]).toEqual([
      0, 0, 30_000,
    ]);
    expect([credit("first_click", "cr_a"), credit("first_click", "cr_c")]).toEqual([30_000, 0]);
    expect([credit("linear", "cr_a"), credit("linear", "cr_b"), credit("linear", "cr_c")]).toEqual([
      10_000, 10_000, 10_000,
    ]);
    expect([
      credit("position_based", "cr_a"),
      credit("position_based", "cr_b"),
      credit("position_based", "cr_c"),
    ]).toEqual([12_000, 6_000, 12_000]);
    const decay = ["cr_a", "cr_b", "cr_c"].map((id) => credit("time_decay", id));
    expect(decay[0]! < decay[1]! && decay[1]! < decay[2]!).toBe(true);
    for (const model of result.models) {
      expect(result.totals[model]).toEqual({ conversions: 1, credit: 30_000, commission: 3_000 });
    }
  });

  it("counts a share a rule rejects under no model", () => {
    const result = compareModels([{ touches: journey, facts: facts(30_000, true) }], campaigns, creators);
    expect(result.creators).toEqual([]);
    for (const model of result.models)
      expect(result.totals[model]).toEqual({ conversions: 0, credit: 0, commission: 0 });
  });

  it("applies each creator's own commission override under every model", () => {
    const withOverride = new Map(creators);
    withOverride.set("cr_a", {
      ...creator("cr_a", "Ada"),
      commissionOverrides: { cp_1: { purchase: { type: "flat", amount: 500 } } },
    });
    const result = compareModels([{ touches: journey, facts: facts(30_000) }], campaigns, withOverride);
    const ada = result.creators.find((c) => c.creatorId === "cr_a")!;
    expect(ada.byModel.first_click.commission).toBe(500);
    expect(ada.byModel.linear.commission).toBe(Math.round(500 / 3));
    expect(ada.byModel.last_click.commission).toBe(0);
  });
});

describe("modelComparison", () => {
  let database: TestDatabase;
  let program: AdminProgram;
  beforeAll(async () => {
    database = await createTestDatabase();
    program = await seedAdminProgram(database.db);
    await seedAdminProgram(database.db);
  });
  afterAll(async () => {
    await database.destroy();
  });
  const range = { from: new Date(T0.getTime() - 5 * DAY), to: new Date(T0.getTime() + DAY) };

  it("replans the store's conversions under all five models with their stored touches", async () => {
    const result = await modelComparison(database.db, program.store.id, range);
    // 1001, 1002 and the sign-up; the cancelled order counts under no model, the test order is rejected.
    expect(result.compared).toBe(4);
    expect(result.currency).toBe("USD");
    expect(result.campaigns).toEqual([{ id: program.campaign.id, name: "Spring", model: "last_click" }]);
    const figures = (name: string) => result.creators.find((c) => c.name === name)?.byModel;
    expect(figures("Ben")!.last_click).toEqual({ conversions: 1, credit: 20_000, commission: 2_000 });
    expect(figures("Ben")!.first_click).toEqual({ conversions: 0, credit: 0, commission: 0 });
    expect(figures("Ada")!.first_click).toEqual({ conversions: 3, credit: 30_000, commission: 3_200 });
    expect(figures("Ada")!.linear).toEqual({ conversions: 3, credit: 20_000, commission: 2_200 });
    expect(result.totals.last_click).toEqual({ conversions: 3, credit: 30_000, commission: 3_200 });
  });

  it("limits to one campaign of the store", async () => {
    const result = await modelComparison(database.db, program.store.id, { ...range, campaignId: program.campaign.id });
    expect(result.compared).toBe(4);
    const none = await modelComparison(database.db, program.store.id, {
      ...range,
      from: new Date(T0.getTime() + DAY),
      to: new Date(T0.getTime() + 2 * DAY),
    });
    expect(none).toMatchObject({ compared: 0, creators: [] });
  });

  it("refuses another store's campaign", async () => {
    const other = await seedAdminProgram(database.db);
    await expect(
      modelComparison(database.db, program.store.id, { ...range, campaignId: other.campaign.id }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("reports how many conversions a limit left out", async () => {
    const result = await modelComparison(database.db, program.store.id, { ...range, limit: 2 });
    expect([result.compared, result.truncated]).toEqual([2, true]);
    expect((await modelComparison(database.db, program.store.id, { ...range, limit: 4 })).truncated).toBe(false);
  });
});
