import { type Db, providerOfDb, sql } from "../db/client.ts";
import { upsertRows } from "../db/insert-rows.ts";
import type { Tx } from "../db/lock-rows.ts";
import { newId } from "../shared/ids.ts";
import type { MailData, MailKind } from "./mail-kinds.ts";

// The outbox of mails to creators, and its only writer. A mail is enqueued in the transaction of the event that
// causes it (a commission recorded, approved, paid, reversed; an application decided), so the mail exists if and
// only if the event committed. Its dedupKey is unique per store: a replayed webhook, a retried sweep or two
// workers racing over one order enqueue it once (INSERT … ON CONFLICT DO NOTHING, which never aborts the
// caller's PostgreSQL transaction the way a unique violation would).
//
// A mail's life: queued → claimed (leased by one worker, nothing sent yet) → sending (recorded just before the
// SMTP transaction) → sent. A failed send goes back to queued with a backoff, then to failed. A worker that dies
// leaves claimed (safe to claim again: nothing went out) or sending (it may have gone out): see recoverStaleMails.

type Client = Db | Tx;

export interface CreatorMailRequest<K extends MailKind = MailKind> {
  storeId: string;
  creatorId: string;
  kind: K;
  data: MailData<K>;
  /** Unique per store, named for the event: `commission_approved:<commissionId>`, `commission_paid:<payoutId>`. */
  dedupKey: string;
  /** Not sent before this instant; now by default. */
  dueAt?: Date;
  /** "digest": held for the creator's daily digest instead of being sent alone. */
  status?: "queued" | "digest";
}

/** THE way to send a creator a mail: enqueues it in the caller's transaction. Resolves with whether it was new. */
export async function enqueueCreatorMail<K extends MailKind>(
  tx: Client,
  mail: CreatorMailRequest<K>,
  now = new Date(),
): Promise<boolean> {
  return (await enqueueCreatorMails(tx, [mail], now)) === 1;
}

/** Several mails in one statement; resolves with how many were new (the others were already enqueued). */
export async function enqueueCreatorMails(
  tx: Client,
  mails: readonly CreatorMailRequest[],
  now = new Date(),
): Promise<number> {
  const unique = [...new Map(mails.map((m) => [`${m.storeId}\u0000${m.dedupKey}`, m])).values()];
  const inserted = await upsertRows(
    tx,
    "CreatorMail",
    unique.map((m) => ({
      id: newId("ml"),
      storeId: m.storeId,
      creatorId: m.creatorId,
      kind: m.kind,
      dedupKey: m.dedupKey,
      data: JSON.stringify(m.data),
      status: m.status ?? "queued",
      dueAt: m.dueAt ?? now,
      attempts: 0,
      createdAt: now,
    })),
    { conflict: ["storeId", "dedupKey"], returning: ["id"] },
  );
  return inserted.length;
}

export interface ClaimedMail {
  id: string;
  storeId: string;
  creatorId: string;
  kind: string;
  data: string;
  attempts: number;
  dueAt: Date;
  createdAt: Date;
  leaseUntil: Date;
}

/**
 * Leases up to `limit` due mails to this worker (queued ones, and claimed ones whose worker's lease ran out: a
 * claimed mail was never handed to SMTP). PostgreSQL skips rows another worker is claiming (FOR UPDATE SKIP
 * LOCKED); on SQLite the write lock serializes claims. The conditional update is the claim on both.
 */
export async function claimDueMails(
  db: Db,
  options: { now: Date; leaseMs: number; limit: number },
): Promise<ClaimedMail[]> {
  const { now, limit } = options;
  const leaseUntil = new Date(now.getTime() + options.leaseMs);
  const due = {
    dueAt: { lte: now },
    OR: [{ status: "queued" }, { status: "claimed", leaseUntil: { lte: now } }],
  };
  return db.$transaction(async (tx) => {
    let ids: string[];
    if (providerOfDb(db) === "postgresql") {
      const rows = await tx.$queryRaw<{ id: string }[]>(sql`
        SELECT id FROM "CreatorMail"
        WHERE "dueAt" <= ${now} AND (status = 'queued' OR (status = 'claimed' AND "leaseUntil" <= ${now}))
        ORDER BY "dueAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED`);
      ids = rows.map((r) => r.id);
    } else {
      ids = (
        await tx.creatorMail.findMany({ where: due, orderBy: { dueAt: "asc" }, take: limit, select: { id: true } })
      ).map((r) => r.id);
    }
    if (ids.length === 0) return [];
    await tx.creatorMail.updateMany({
      where: { id: { in: ids }, ...due },
      data: { status: "claimed", leaseUntil, attempts: { increment: 1 } },
    });
    const claimed = await tx.creatorMail.findMany({ where: { id: { in: ids }, status: "claimed", leaseUntil } });
    return claimed.map((m) => ({ ...m, leaseUntil }));
  });
}

/**
 * Recorded just before the mail is handed to SMTP. From here on the mail may have gone out, so it is never
 * sent again (see recoverStaleMails). False when the claim was lost (the lease ran out and another took it).
 */
export async function markSending(db: Db, mail: ClaimedMail, leaseUntil: Date): Promise<boolean> {
  const moved = await db.creatorMail.updateMany({
    where: { id: mail.id, status: "claimed", leaseUntil: mail.leaseUntil },
    data: { status: "sending", leaseUntil },
  });
  return moved.count === 1;
}

export async function markSent(db: Db, id: string, now: Date): Promise<void> {
  await db.creatorMail.updateMany({
    where: { id, status: "sending" },
    data: { status: "sent", sentAt: now, leaseUntil: null, lastError: null },
  });
}

/** Marks the mails a digest listed, so that no later digest lists them again. */
export async function markDigested(db: Db, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.creatorMail.updateMany({
    where: { id: { in: [...ids] }, status: "digest" },
    data: { status: "digested", sentAt: now },
  });
}

/** Not sent, on purpose (unsubscribed, no email, archived creator): the reason is kept. */
export async function markSkipped(db: Db, mail: ClaimedMail, reason: string): Promise<void> {
  await db.creatorMail.updateMany({
    where: { id: mail.id, status: "claimed", leaseUntil: mail.leaseUntil },
    data: { status: "skipped", lastError: reason, leaseUntil: null },
  });
}

/**
 * The SMTP server refused the mail or could not be reached: nothing was delivered, so it is queued again after
 * `retryAt`, or given up on (failed) after its last attempt.
 */
export async function markRetry(db: Db, mail: ClaimedMail, error: string, retryAt: Date | null): Promise<void> {
  await db.creatorMail.updateMany({
    where: { id: mail.id, status: { in: ["claimed", "sending"] } },
    data: retryAt
      ? { status: "queued", dueAt: retryAt, lastError: error.slice(0, 500), leaseUntil: null }
      : { status: "failed", lastError: error.slice(0, 500), leaseUntil: null },
  });
}

/**
 * Mails whose worker died while sending them (lease run out in status sending): the SMTP transaction may or may
 * not have completed, and the outbox cannot ask. They become "unknown" and are NOT sent again: a doubled
 * "you were paid" mail is worse than the rare lost notification (the portal shows every commission and payout
 * anyway), and the window is only the SMTP transaction itself. Claimed mails need no recovery: they are claimed
 * again by claimDueMails. Returns the ids, for the log.
 */
export async function recoverStaleMails(db: Db, now: Date): Promise<string[]> {
  const stale = await db.creatorMail.findMany({
    where: { status: "sending", leaseUntil: { lte: now } },
    select: { id: true },
    take: 1000,
  });
  if (stale.length === 0) return [];
  await db.creatorMail.updateMany({
    where: { id: { in: stale.map((s) => s.id) }, status: "sending", leaseUntil: { lte: now } },
    data: { status: "unknown", leaseUntil: null, lastError: "worker stopped during the SMTP transaction; not resent" },
  });
  return stale.map((s) => s.id);
}

/** A deleted store's mails (privacy/store-data.ts). */
export async function eraseStoreMails(tx: Tx, storeId: string): Promise<number> {
  return (await tx.creatorMail.deleteMany({ where: { storeId } })).count;
}
