export * from "./campaign.ts";
export * from "./campaign-store.ts";
