import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireCampaign, updateCampaign } from "../campaigns/campaign-store.ts";
import { requireCreator, setCommissionOverride, setCreatorStatus, updateCreator } from "../creators/creator.ts";
import { hashEmail } from "../shared/hashing.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";

// The edits the admin makes to a program, each confined to the store that owns the row.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

describe("program edits", () => {
  it("updates a campaign but keeps its currency, and refuses another store's campaign or a taken name", async () => {
    const { db } = database;
    const mine = await seedProgram(db);
    const theirs = await seedProgram(db);
    const updated = await updateCampaign(db, mine.store.id, mine.campaign.id, {
      name: "Summer",
      goals: ["purchase"],
      attributionModel: "first_click",
      lookbackDays: 7,
      commissionRules: { purchase: { type: "flat", amount: 500 } },
      budgetCap: 10_000,
      currency: "EUR",
    });
    expect(updated).toMatchObject({
      name: "Summer",
      attributionModel: "first_click",
      lookbackDays: 7,
      budgetCap: 10_000,
      currency: "USD",
    });
    await expect(updateCampaign(db, theirs.store.id, mine.campaign.id, { name: "Stolen" })).rejects.toMatchObject({
      code: "not_found",
    });
    expect((await requireCampaign(db, mine.store.id, mine.campaign.id)).name).toBe("Summer");
    const { createCampaign } = await import("../campaigns/campaign-store.ts");
    await createCampaign(db, mine.store.id, { name: "Autumn" });
    await expect(updateCampaign(db, mine.store.id, mine.campaign.id, { name: "Autumn" })).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("edits and archives a creator of the store only", async () => {
    const { db } = database;
    const mine = await seedProgram(db);
    const theirs = await seedProgram(db);
    const ada = mine.creators[0]!;
    const updated = await updateCreator(db, mine.store.id, ada.id, { name: "Ada L.", email: "Ada@Example.com" });
    expect(updated).toMatchObject({
      name: "Ada L.",
      email: "Ada@Example.com",
      emailHash: hashEmail("ada@example.com"),
    });
    expect((await updateCreator(db, mine.store.id, ada.id, { name: "Ada", email: null })).emailHash).toBeNull();
    await setCreatorStatus(db, mine.store.id, ada.id, "archived");
    expect((await requireCreator(db, mine.store.id, ada.id)).status).toBe("archived");
    await expect(updateCreator(db, theirs.store.id, ada.id, { name: "x", email: null })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(setCreatorStatus(db, theirs.store.id, ada.id, "active")).rejects.toMatchObject({ code: "not_found" });
  });

  it("sets and removes a creator's own commission for one goal of one campaign", async () => {
    const { db } = database;
    const mine = await seedProgram(db);
    const theirs = await seedProgram(db);
    const ada = mine.creators[0]!;
    const rule = { type: "percentage" as const, basisPoints: 1500 };
    const set = await setCommissionOverride(db, mine.store.id, ada.id, mine.campaign.id, "purchase", rule);
    expect(set.commissionOverrides).toEqual({ [mine.campaign.id]: { purchase: rule } });
    const removed = await setCommissionOverride(db, mine.store.id, ada.id, mine.campaign.id, "purchase", null);
    expect(removed.commissionOverrides).toEqual({});
    await expect(
      setCommissionOverride(db, mine.store.id, ada.id, theirs.campaign.id, "purchase", rule),
    ).rejects.toMatchObject({ code: "not_found" });
    await expect(
      setCommissionOverride(db, theirs.store.id, ada.id, theirs.campaign.id, "purchase", rule),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});
