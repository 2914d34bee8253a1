export * from "./campaign.ts";
export * from "./campaign-store.ts";
export * from "./commission-plan.ts";
