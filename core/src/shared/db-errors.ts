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

const PRISMA_DATA_ERRORS = new Set(["P2000", "P2002", "P2003", "P2004", "P2007", "P2011", "P2020"]);

/**
 * Whether a write was refused for the data it carried (a value its column cannot hold, a constraint) rather
 * than for the database's state (connection, lock, disk): the same data will fail again, so the sender is
 * told (4xx) instead of being asked to retry. Group commits use it to fail only the member at fault.
 */
export function isDataError(error: unknown): boolean {
  // Our own row building: an Invalid Date's toISOString, a BigInt past its range.
  if (error instanceof RangeError) return true;
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return false;
  // PostgreSQL SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation).
  if (/^2[23][0-9A-Z]{3}$/.test(code)) return true;
  if (/^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code)) return true;
  return PRISMA_DATA_ERRORS.has(code);
}
