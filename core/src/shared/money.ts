import { z } from "zod";

// Amounts are integer minor units of an ISO 4217 currency. Decimal strings from platforms are converted
// without floating point so that "19.99" is exactly 1999.
export const CurrencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD")
  .describe("ISO 4217 currency code");

export const MinorUnitsSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe("integer minor units");

// Currencies whose minor unit is not 1/100 (ISO 4217 exponent).
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/** "19.99" USD -> 1999; rounds half away from zero past the currency's precision. */
export function toMinorUnits(amount: string | number, currency: string): number {
  const text = typeof amount === "number" ? amount.toFixed(10) : amount.trim();
  const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) throw new RangeError(`not a decimal amount: "${amount}"`);
  const exp = currencyExponent(currency);
  const whole = match[2] || "0";
  const frac = (match[3] ?? "").padEnd(exp + 1, "0");
  let minor = BigInt(whole) * 10n ** BigInt(exp) + BigInt(frac.slice(0, exp) || "0");
  if (Number(frac[exp]) >= 5) minor += 1n;
  const value = Number(match[1] ? -minor : minor);
  if (!Number.isSafeInteger(value)) throw new RangeError(`amount out of range: "${amount}"`);
  return value === 0 ? 0 : value;
}

/** 1999 USD -> "19.99" */
export function formatMinorUnits(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? "-" : "";
  const digits = String(Math.abs(minor)).padStart(exp + 1, "0");
  return exp === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}
