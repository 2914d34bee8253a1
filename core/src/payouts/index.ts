export { budgetOfCampaign } from "./budget-view.ts";
export type { PayoutCsvRow } from "./manual-provider.ts";
export { csvField, ManualPayoutProvider, methodDetails, payoutsToCsv } from "./manual-provider.ts";
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
export type {
  CreatePayoutRunOptions,
  PayoutCrashPoint,
  PayoutDeps,
  PayoutRunStatus,
  PayoutRunView,
  PayoutStatus,
  PayoutView,
  ReconcileSummary,
} from "./payout-store.ts";
export {
  approvePayoutRun,
  cancelPayout,
  cancelPayoutRun,
  createPayoutRun,
  executePayout,
  executePayoutRun,
  formatMoney,
  getPayout,
  getPayoutRun,
  listPayoutRuns,
  listPayouts,
  markPayoutPaid,
  minimumPayoutFor,
  PAYOUT_STATUSES,
  payoutItems,
  payoutRunCsv,
  reconcilePayouts,
  retryPayout,
  runScheduledPayouts,
  storesDueForPayout,
} from "./payout-store.ts";
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
export type { StripeAccountStatus, StripeConfig } from "./stripe-provider.ts";
export { formEncode, STRIPE_API, StripeConnectProvider } from "./stripe-provider.ts";
export { fakeStripe } from "./testing/stripe-handlers.ts";
