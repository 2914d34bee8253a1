// The part of core that admin pages run in the browser too: form schemas, the constants the forms offer and
// money arithmetic. Every module re-exported here imports nothing from Node, so client bundles can take it;
// the other subpaths are server-only (they reach the database, node:crypto and the network).

// Types of what loaders send to pages are erased from bundles, so they may come from any module.
export type { ConversionListItem, JourneyStep } from "../admin/conversions.ts";
export * from "../admin/forms.ts";
export type { ModelFigures } from "../admin/model-comparison.ts";
export type { Overview } from "../admin/overview.ts";
export * from "../applications/forms.ts";
export { ATTRIBUTION_MODELS, type AttributionModel } from "../attribution/models.ts";
export { type CommissionRule, GOALS } from "../campaigns/campaign.ts";
export * from "../campaigns/commission-plan.ts";
export * from "../campaigns/describe-plan.ts";
export { type AppliedRule, indexRules, type RuleLine, ruleForLine } from "../commissions/line-commissions.ts";
export { COMMISSION_BASE_LABELS, COMMISSION_BASES, type CommissionBase } from "../orders/commission-base.ts";
export * from "../shared/money.ts";
