// The ledger: the only writer of Commission, CommissionAdjustment, BudgetEntry and Campaign.budgetUsed.
// Every function runs in its caller's transaction; the callers (conversions, payouts) keep the
// transaction boundaries and row locks that make budget caps and payouts race-safe. Commissions recorded,
// approved, reduced, reversed and paid also enqueue the creator's mail there (core/src/mail/commission-mails.ts).
export { adjustmentSums, campaignCurrencies } from "./ledger-reads.ts";
export { claimForPayout, releaseCommissionClaim, releasePayoutClaims } from "./payout-claims.ts";
export { applyCommissionChange, type CommissionRow } from "./reconcile.ts";
export {
  type NewCommission,
  type OpenBudget,
  openBudgets,
  recordCommissions,
  releaseForReattribution,
  reserveBudget,
} from "./reserve.ts";
export { settlePaidCommissions } from "./settle-paid.ts";
export { eraseStoreLedger } from "./store-erasure.ts";
