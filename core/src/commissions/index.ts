export type { BudgetBreakdown, LedgerEntry, LedgerEntryKind, LedgerSummary } from "./budget.ts";
export {
  budgetBreakdown,
  budgetBreakdownOfCommissions,
  budgetHeld,
  budgetReservation,
  LEDGER_ENTRY_KINDS,
  LedgerEntrySchema,
  ledgerEntriesForChange,
  ledgerTransfers,
  summarizeLedger,
} from "./budget.ts";
export type { CreditedCreator } from "./compute-commission.ts";
export { computeCommission, resolveRule, splitCommission } from "./compute-commission.ts";
export type { CommissionState, CommissionStatus, OrderSnapshot, ReconcileInput, ReconcileResult } from "./lifecycle.ts";
export {
  applyReconciliation,
  approveDue,
  COMMISSION_STATUSES,
  CommissionStatusSchema,
  dueAmount,
  holdUntil,
  isOrderVoid,
  reconcileCommission,
} from "./lifecycle.ts";
export { mulDivRoundHalfUp } from "./mul-div.ts";
