export * from "./campaign.ts";
export { GOALS } from "./campaign.ts";
export * from "./campaign-store.ts";
export { createCampaign } from "./campaign-store.ts";
export * from "./commission-plan.ts";
