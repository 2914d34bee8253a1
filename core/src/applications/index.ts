export * from "./applications.ts";
export * from "./apply-page.ts";
export * from "./forms.ts";
export * from "./program-settings.ts";
export * from "./store-discounts.ts";
