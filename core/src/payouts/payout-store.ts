import { formatMinorUnits } from "../shared/money.ts";

/** "12.50 USD" */
export function formatMoney(amount: number, currency: string): string {
  return `${formatMinorUnits(amount, currency)} ${currency}`;
}
