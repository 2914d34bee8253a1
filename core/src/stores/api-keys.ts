import { createHash, timingSafeEqual } from "node:crypto";
import type { Db } from "../db/client.ts";
import { AppError } from "../shared/errors.ts";
import { newId, randomToken } from "../shared/ids.ts";

// Keys look like tm_live_<prefix>_<secret>; only a SHA-256 of the whole key is stored, and the key is shown
// once. The prefix finds the row without scanning, the hash comparison is constant-time.
const KEY_PATTERN = /^tm_live_([0-9A-Za-z]{8})_([0-9A-Za-z]{32})$/;

function hashKey(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

export async function createApiKey(db: Db, storeId: string, name: string): Promise<{ id: string; key: string }> {
  const prefix = randomToken(8);
  const key = `tm_live_${prefix}_${randomToken(32)}`;
  const id = newId("key");
  await db.apiKey.create({ data: { id, storeId, name, prefix, secretHash: hashKey(key).toString("hex") } });
  return { id, key };
}

export async function revokeApiKey(db: Db, storeId: string, id: string): Promise<void> {
  const { count } = await db.apiKey.updateMany({
    where: { id, storeId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw new AppError("not_found", `API key ${id} not found`);
}

export async function listApiKeys(db: Db, storeId: string) {
  return db.apiKey.findMany({
    where: { storeId },
    select: { id: true, name: true, prefix: true, createdAt: true, revokedAt: true, lastUsedAt: true },
    orderBy: { createdAt: "desc" },
  });
}

/**
 * lastUsedAt is refreshed at most this often per key: the Settings page needs "when was this key last used",
 * not a write on every API request.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** The store a bearer key belongs to; throws unauthorized for anything else. */
export async function authenticateApiKey(
  db: Db,
  authorization: string | null,
  now = new Date(),
): Promise<{ storeId: string; keyId: string }> {
  const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  const match = key ? KEY_PATTERN.exec(key) : null;
  if (!key || !match)
    throw new AppError("unauthorized", "missing or malformed API key (Authorization: Bearer tm_live_…)");
  const row = await db.apiKey.findUnique({ where: { prefix: match[1]! } });
  const expected = Buffer.from(row?.secretHash ?? "0".repeat(64), "hex");
  const ok = timingSafeEqual(hashKey(key), expected) && row !== null && row.revokedAt === null;
  if (!ok || !row) throw new AppError("unauthorized", "invalid or revoked API key");
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (row.lastUsedAt === null || row.lastUsedAt <= stale) {
    // Decided from the row already read, so a fresh key costs no write. The guard in the WHERE makes
    // concurrent requests (other processes included) refresh it once; a failure must not fail the request.
    await db.apiKey
      .updateMany({
        where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: stale } }] },
        data: { lastUsedAt: now },
      })
      .catch((error: unknown) => console.warn(`could not record the use of API key ${row.id}: ${String(error)}`));
  }
  return { storeId: row.storeId, keyId: row.id };
}
