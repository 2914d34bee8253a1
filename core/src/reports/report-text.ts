import { formatTable } from "../cli/table.ts";
import { formatMinorUnits } from "../shared/money.ts";
import type { ProgramReport } from "./campaign-report.ts";

const COLUMNS = [
  "creator",
  "clicks",
  "qualified",
  "sign-ups",
  "purchases",
  "refunded",
  "cancelled",
  "conv. rate",
  "currency",
  "revenue",
  "pending",
  "approved",
  "paid",
  "reversed",
  "rejected",
  "over budget",
];

/** The report as the CLI prints it: one line per creator and currency; amounts in different currencies are never added up. */
export function reportText(report: ProgramReport): string {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  const lines = [...report.rows, { ...report.totals, creatorName: "TOTAL" }].flatMap((r) =>
    r.money.map((m, i) => {
      const money = (n: number) => formatMinorUnits(n, m.currency);
      const first = <T>(v: T) => (i === 0 ? v : "");
      return [
        first(r.creatorName),
        first(r.rawClicks),
        first(r.qualifiedClicks),
        first(r.signUps),
        first(r.purchases),
        first(r.refunded),
        first(r.cancelled),
        first(pct(r.conversionRate)),
        m.currency,
        money(m.revenue),
        money(m.commissions.pending),
        money(m.commissions.approved),
        money(m.commissions.paid),
        money(m.commissions.reversed),
        money(m.commissions.rejected),
        money(m.commissions.over_budget),
      ];
    }),
  );
  const title =
    report.campaignName === null
      ? `All campaigns (${report.currency} first)`
      : `Campaign "${report.campaignName}" (${report.currency})`;
  return [
    title,
    formatTable(COLUMNS, lines),
    ...report.totals.money.map(
      (m) => `Return on spend (${m.currency}): ${m.returnOnSpend === null ? "-" : `${m.returnOnSpend.toFixed(2)}x`}`,
    ),
  ].join("\n");
}
