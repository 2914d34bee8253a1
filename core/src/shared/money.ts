import { z } from "zod";

// Amounts are integer minor units of an ISO 4217 currency. Decimal strings from platforms are converted
// without floating point so that "19.99" is exactly 1999.
export const CurrencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD")
  .describe("ISO 4217 currency code");

export const MinorUnitsSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe("integer minor units");

// Currencies whose minor unit is not 1/100 (ISO 4217 exponent; Intl's digits follow CLDR, which differ for a
// few such as IQD, so the table is ours).
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
  CLF: 4,
  UYW: 4,
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

// The presentations of an amount. Every surface formats money with one of these three.

/** 1999 USD -> "19.99", 1250 JPY -> "1250", 1234 KWD -> "1.234": the plain decimal for CSV, JSON and APIs. */
export function formatMinorUnits(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? "-" : "";
  const digits = String(Math.abs(minor)).padStart(exp + 1, "0");
  return exp === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

const decimalSeparators = new Map<string, string>();

function decimalSeparator(locale: string): string {
  let separator = decimalSeparators.get(locale);
  if (separator === undefined) {
    separator = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === "decimal")?.value ?? ".";
    decimalSeparators.set(locale, separator);
  }
  return separator;
}

/**
 * 1250 USD -> "12.50 USD" ("12,50 USD" in fr-FR): the figure and its code, for text (the CLI, reasons, the
 * creator portal). Only the decimal separator follows the locale; the digits are the minor units as stored.
 */
export function formatMoney(minor: number, currency: string, locale = "en-US"): string {
  const figure = formatMinorUnits(minor, currency);
  const separator = decimalSeparator(locale);
  return `${separator === "." ? figure : figure.replace(".", separator)} ${currency}`;
}

const displayFormats = new Map<string, Intl.NumberFormat | null>();

/** 1250 USD -> "$12.50", 1250 JPY -> "¥1,250": the locale's currency format, for the admin's pages. */
export function displayMoney(minor: number, currency: string, locale = "en-US"): string {
  const exp = currencyExponent(currency);
  const key = `${locale} ${currency}`;
  let format = displayFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, {
        style: "currency",
        currency,
        minimumFractionDigits: exp,
        maximumFractionDigits: exp,
      });
    } catch {
      // A code Intl does not know: the plain presentation.
      format = null;
    }
    displayFormats.set(key, format);
  }
  return format ? format.format(minor / 10 ** exp) : formatMoney(minor, currency, locale);
}
