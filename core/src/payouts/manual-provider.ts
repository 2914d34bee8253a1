import { csvText } from "../shared/csv.ts";
import { formatMinorUnits } from "../shared/money.ts";
import type { PayoutInstruction, PayoutMethod, PayoutProvider, ProviderResult } from "./provider.ts";

/**
 * The merchant pays outside Trailmark (bank transfer, gift card…): sending only hands the payout to the
 * merchant, who exports the run as CSV, pays, and marks each payout paid (markPayoutPaid). Until then the
 * payout stays processing.
 */
export class ManualPayoutProvider implements PayoutProvider {
  readonly method = "manual" as const;

  async send(): Promise<ProviderResult> {
    return { status: "processing", reference: null };
  }

  async lookup(): Promise<ProviderResult | null> {
    return { status: "processing", reference: null };
  }

  async checkCredentials(): Promise<string> {
    return "Manual payouts need no credentials: you pay from the run's CSV and mark each payout paid";
  }
}

export interface PayoutCsvRow {
  payoutId: string;
  runId: string;
  creatorId: string;
  creatorName: string;
  creatorEmail: string | null;
  amount: number;
  currency: string;
  method: PayoutMethod;
  destination: PayoutInstruction["destination"];
  status: string;
  reference: string | null;
}

const HEADER = [
  "payout_id",
  "run_id",
  "creator_id",
  "creator_name",
  "creator_email",
  "amount",
  "currency",
  "method",
  "method_details",
  "status",
  "reference",
];

/** Describes where the money goes, for a person paying by hand. */
export function methodDetails(method: PayoutMethod, destination: PayoutInstruction["destination"]): string {
  const details = Object.entries(destination.details ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
  if (method === "stripe") return destination.stripeAccountId ? `Stripe account ${destination.stripeAccountId}` : "";
  if (method === "paypal") return destination.paypalEmail ? `PayPal ${destination.paypalEmail}` : "";
  return details;
}

/** The run's payouts as CSV: one line per payout, the amount in major units beside its currency. */
export function payoutsToCsv(rows: readonly PayoutCsvRow[]): string {
  // Names and details come from creators: the writer defuses what a spreadsheet would run.
  return csvText(
    HEADER,
    rows.map((r) => [
      r.payoutId,
      r.runId,
      r.creatorId,
      r.creatorName,
      r.creatorEmail ?? "",
      formatMinorUnits(r.amount, r.currency),
      r.currency,
      r.method,
      methodDetails(r.method, r.destination),
      r.status,
      r.reference ?? "",
    ]),
  );
}
