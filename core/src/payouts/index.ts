export { csvField } from "../shared/csv.ts";
export { budgetOfCampaign } from "./budget-view.ts";
export type { PayoutCsvRow } from "./manual-provider.ts";
export { ManualPayoutProvider, methodDetails, payoutsToCsv } from "./manual-provider.ts";
export {
  checkPayoutProviders,
  creatorPayoutSummaries,
  PENDING_LIST_LIMIT,
  type PendingCommission,
  payNow,
  payoutBalances,
  payoutHistory,
  pendingCommissions,
  previewPayoutRun,
} from "./payout-admin.ts";
export { payoutRunCsv } from "./payout-csv.ts";
export type { CreatePayoutRunOptions } from "./payout-runs.ts";
export {
  approvePayoutRun,
  cancelPayout,
  cancelPayoutRun,
  createPayoutRun,
  minimumPayoutFor,
} from "./payout-runs.ts";
export type { PayoutCrashPoint, PayoutDeps, ReconcileSummary } from "./payout-sending.ts";
export { executePayout, executePayoutRun, markPayoutPaid, reconcilePayouts, retryPayout } from "./payout-sending.ts";
export type {
  CreatorPayoutAccount,
  CreatorPayoutMethodInput,
  PayoutSettings,
  PayoutSettingsInput,
} from "./payout-settings.ts";
export {
  getCreatorPayoutAccount,
  getPayoutSettings,
  parseManualDetails,
  refreshStripeAccount,
  setCreatorPayoutMethod,
  startStripeOnboarding,
  stripeAccountStatus,
  updatePayoutSettings,
} from "./payout-settings.ts";
export type { PayoutRunStatus, PayoutRunView, PayoutStatus, PayoutView } from "./payout-views.ts";
export {
  getPayout,
  getPayoutRun,
  listPayoutRuns,
  listPayouts,
  PAYOUT_STATUSES,
  payoutItems,
  toPayoutView,
} from "./payout-views.ts";
export type { PayPalConfig } from "./paypal-provider.ts";
export { PAYPAL_API, PayPalPayoutsProvider } from "./paypal-provider.ts";
export type {
  CarryOver,
  CarryOverReason,
  PayableAdjustment,
  PayableCommission,
  PayoutPlan,
  PlannedPayout,
  PlanPayoutRunInput,
} from "./plan-payout-run.ts";
export { planPayoutRun } from "./plan-payout-run.ts";
export type {
  HttpOptions,
  PayoutInstruction,
  PayoutMethod,
  PayoutProvider,
  PayoutProviders,
  ProviderResult,
} from "./provider.ts";
export { PAYOUT_METHODS, PayoutMethodSchema, PayoutProviderError } from "./provider.ts";
export { providersFromEnv } from "./providers-from-env.ts";
export type { PayoutSchedule, StoreSchedule } from "./schedule.ts";
export {
  DEFAULT_PAYOUT_DAY,
  isPayoutRunDue,
  nextPeriodStart,
  PAYOUT_SCHEDULES,
  PayoutDaySchema,
  PayoutScheduleSchema,
  payoutDayProblem,
  periodKey,
  periodStart,
  storesDueForPayoutRun,
  WEEKDAYS,
} from "./schedule.ts";
export { runScheduledPayouts, storesDueForPayout } from "./scheduled-payouts.ts";
export type { StripeAccountStatus, StripeConfig } from "./stripe-provider.ts";
export { formEncode, STRIPE_API, StripeConnectProvider } from "./stripe-provider.ts";
export { fakeStripe } from "./testing/stripe-handlers.ts";
