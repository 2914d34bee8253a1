// Prisma reports a unique-constraint violation as P2002 on both providers; idempotent writes rely on it.
// Raw statements report it as P2010 with the driver adapter's cause.
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, meta } = error as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  if (code === "P2002") return true;
  return code === "P2010" && meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation";
}

/** BigInt column -> number; amounts stay far below 2^53 but a silent overflow would corrupt money. */
export function toSafeNumber(value: bigint | number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${value} is beyond the safe integer range`);
  return n;
}

export function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
