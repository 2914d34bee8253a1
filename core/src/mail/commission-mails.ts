import type { Tx } from "../db/lock-rows.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { PAYOUT_METHOD_REMINDER_DAYS } from "./mail-kinds.ts";
import { type CreatorMailRequest, enqueueCreatorMails } from "./outbox.ts";

// What the commission ledger tells creators, decided in the ledger's own transaction (core/src/ledger calls
// these): a commission earned, approved, reversed or reduced, a payout paid, and money waiting with nowhere to
// send it. Each mail's dedupKey names its event, so replays enqueue nothing more.

const DAY_MS = 24 * 60 * 60 * 1000;

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function nextUtcMidnight(at: Date): Date {
  return new Date(Date.parse(`${utcDay(at)}T00:00:00Z`) + DAY_MS);
}

/**
 * New pending commissions: one mail each, with the order's amount and the holding date; past the store's
 * mailDigestAfter in a UTC day a creator's further commissions are held for one digest at the day's end. Two
 * batches racing for the same creator may each send one past the limit (the count is read, not locked): the
 * limit is about inbox noise, not money.
 */
export async function mailNewCommissions(
  tx: Tx,
  storeId: string,
  commissions: readonly {
    id: string;
    conversionId: string;
    campaignId: string;
    creatorId: string;
    status: string;
    amount: number;
    currency: string;
    holdUntil: Date;
  }[],
  now: Date,
): Promise<void> {
  const pending = commissions.filter((c) => c.status === "pending" && c.amount > 0);
  if (pending.length === 0) return;
  const [store, conversions, today] = await Promise.all([
    tx.store.findUnique({ where: { id: storeId }, select: { mailDigestAfter: true } }),
    tx.conversion.findMany({
      where: { storeId, id: { in: [...new Set(pending.map((c) => c.conversionId))] } },
      select: { id: true, value: true, currency: true },
    }),
    tx.creatorMail.groupBy({
      by: ["creatorId"],
      where: {
        storeId,
        kind: "commission_pending",
        createdAt: { gte: new Date(`${utcDay(now)}T00:00:00Z`) },
        creatorId: { in: [...new Set(pending.map((c) => c.creatorId))] },
      },
      _count: { _all: true },
    }),
  ]);
  const limit = store?.mailDigestAfter ?? 5;
  const conversion = new Map(conversions.map((c) => [c.id, c]));
  const count = new Map(today.map((r) => [r.creatorId, r._count._all]));
  const digestAt = nextUtcMidnight(now);
  const mails: CreatorMailRequest[] = [];
  for (const c of pending) {
    const n = count.get(c.creatorId) ?? 0;
    count.set(c.creatorId, n + 1);
    const order = conversion.get(c.conversionId);
    const held = n >= limit;
    mails.push({
      storeId,
      creatorId: c.creatorId,
      kind: "commission_pending",
      // Keyed by what was earned rather than the row: re-attribution (ledger/reserve.ts releaseForReattribution)
      // replaces a pending commission with a new row, and the creator must not hear of the same order twice.
      dedupKey: `commission_pending:${c.conversionId}:${c.campaignId}:${c.creatorId}`,
      data: {
        commissionId: c.id,
        amount: c.amount,
        currency: c.currency,
        orderTotal: order ? toSafeNumber(order.value) : 0,
        orderCurrency: order?.currency ?? c.currency,
        holdUntil: c.holdUntil.toISOString(),
      },
      ...(held ? { status: "digest" as const, dueAt: digestAt } : {}),
    });
    if (held)
      mails.push({
        storeId,
        creatorId: c.creatorId,
        kind: "commission_digest",
        dedupKey: `commission_digest:${c.creatorId}:${utcDay(now)}`,
        data: { day: utcDay(now) },
        dueAt: digestAt,
      });
  }
  await enqueueCreatorMails(tx, mails, now);
}

/** A commission brought in line with its order: approved, or reversed or reduced (the reason is the portal's). */
export async function mailCommissionChange(
  tx: Tx,
  storeId: string,
  row: { id: string; creatorId: string; currency: string },
  before: { status: string; amount: number },
  after: { status: string; amount: number },
  now: Date,
): Promise<void> {
  const mails: CreatorMailRequest[] = [];
  const base = { storeId, creatorId: row.creatorId };
  if (after.status === "approved" && before.status !== "approved" && after.amount > 0)
    mails.push({
      ...base,
      kind: "commission_approved",
      dedupKey: `commission_approved:${row.id}`,
      data: { commissionId: row.id, amount: after.amount, currency: row.currency },
    });
  const lost = (after.status === "reversed" && before.status !== "reversed") || after.amount < before.amount;
  // Only a commission the creator was told about (pending or later) can be taken back.
  if (lost && before.amount > 0 && before.status !== "rejected" && before.status !== "over_budget")
    mails.push({
      ...base,
      kind: "commission_reversed",
      // Each reduction to a new amount is news; the same reduction replayed is not.
      dedupKey: `commission_reversed:${row.id}:${after.status === "reversed" ? 0 : after.amount}`,
      data: {
        commissionId: row.id,
        amount: after.status === "reversed" ? 0 : after.amount,
        previous: before.amount,
        currency: row.currency,
      },
    });
  await enqueueCreatorMails(tx, mails, now);
  if (after.status === "approved" && before.status !== "approved")
    await remindPayoutMethod(tx, storeId, row.creatorId, now);
}

/** A payout was paid: one mail per payout, with the provider's reference. */
export async function mailPayoutPaid(tx: Tx, storeId: string, payoutId: string, now: Date): Promise<void> {
  const payout = await tx.payout.findFirst({
    where: { id: payoutId, storeId },
    select: { creatorId: true, amount: true, currency: true, providerReference: true },
  });
  if (!payout) return;
  await enqueueCreatorMails(
    tx,
    [
      {
        storeId,
        creatorId: payout.creatorId,
        kind: "commission_paid",
        dedupKey: `commission_paid:${payoutId}`,
        data: {
          payoutId,
          amount: toSafeNumber(payout.amount),
          currency: payout.currency,
          reference: payout.providerReference,
        },
      },
    ],
    now,
  );
}

/**
 * Whether a creator can receive a payout: by their own method (PayPal with an address, Stripe once onboarded,
 * manual), or, without one, by the store's default (manual pays anyone; Stripe and PayPal need the creator's
 * account).
 */
function canBePaid(
  account: { method: string; paypalEmail: string | null; stripeReady: boolean } | null,
  storeDefault: string,
): boolean {
  const method = account?.method ?? storeDefault;
  if (method === "paypal") return Boolean(account?.paypalEmail);
  if (method === "stripe") return account?.stripeReady ?? false;
  return true;
}

/**
 * Money is waiting (the approved balance in the store's currency reached its minimum payout) and the creator
 * has no way to be paid: remind them, at most once per PAYOUT_METHOD_REMINDER_DAYS.
 */
export async function remindPayoutMethod(tx: Tx, storeId: string, creatorId: string, now: Date): Promise<void> {
  const [account, settings] = await Promise.all([
    tx.creatorPayoutAccount.findUnique({
      where: { storeId_creatorId: { storeId, creatorId } },
      select: { method: true, paypalEmail: true, stripeReady: true },
    }),
    tx.storePayoutSettings.findUnique({ where: { storeId }, select: { provider: true } }),
  ]);
  if (canBePaid(account, settings?.provider ?? "manual")) return;
  const period = PAYOUT_METHOD_REMINDER_DAYS * DAY_MS;
  const recent = await tx.creatorMail.findFirst({
    where: { storeId, creatorId, kind: "payout_method_missing", createdAt: { gt: new Date(now.getTime() - period) } },
    select: { id: true },
  });
  if (recent) return;
  const store = await tx.store.findUnique({ where: { id: storeId }, select: { minimumPayout: true, currency: true } });
  if (!store) return;
  const approved = await tx.commission.aggregate({
    where: { storeId, creatorId, status: "approved", currency: store.currency },
    _sum: { amount: true },
  });
  const balance = toSafeNumber(approved._sum.amount ?? 0n);
  const minimum = toSafeNumber(store.minimumPayout);
  if (balance <= 0 || balance < minimum) return;
  await enqueueCreatorMails(
    tx,
    [
      {
        storeId,
        creatorId,
        kind: "payout_method_missing",
        // The period in the key keeps two racing approvals from enqueuing two reminders.
        dedupKey: `payout_method_missing:${creatorId}:${Math.floor(now.getTime() / period)}`,
        data: { amount: balance, currency: store.currency, minimum },
      },
    ],
    now,
  );
}
