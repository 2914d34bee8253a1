import type { Db } from "../db/client.ts";
import { explainCommission } from "../portal/explain-commission.ts";
import { translator } from "../portal/i18n.ts";
import type { MessageMailer } from "../portal/mailer.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { MAIL_DATA, MAIL_KINDS, type MailKind, preferenceKindOf } from "./mail-kinds.ts";
import { mailSettingOf } from "./mail-settings.ts";
import {
  type ClaimedMail,
  claimDueMails,
  markDigested,
  markRetry,
  markSending,
  markSent,
  markSkipped,
  recoverStaleMails,
} from "./outbox.ts";
import { type RenderContext, renderCreatorMail } from "./render.ts";
import { unsubscribeToken } from "./unsubscribe-token.ts";

// The worker that empties the creator mail outbox: claims due mails (a lease, so several instances share the
// outbox), renders each in the creator's language, records "sending", hands it to the mailer (SMTP when SMTP_URL
// is set, the log otherwise) and records "sent".
//
// Delivery is at most once from the moment a mail is recorded as sending: send → mark cannot be one atomic step,
// and a worker killed between them leaves a mail that may or may not have reached the server. Such a mail
// (sending, its lease run out) becomes "unknown" and is never sent again (outbox.ts recoverStaleMails); every
// step before it (claiming, rendering, skipping) is retried freely, and an SMTP refusal or a connection failure
// (nothing delivered) is retried with a backoff. Each mail's Message-ID is derived from its outbox id, so even a
// resend an operator forces is recognisably the same mail.

export interface CreatorMailWorkerOptions {
  db: Db;
  mailer: MessageMailer;
  /** The portal's public origin, for links in mails. */
  publicUrl: string;
  now?: () => Date;
  /** How long a claimed or sending mail is this worker's before another may recover it. */
  leaseMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  /** Tests: runs once a mail is claimed and rendered, before it is recorded as sending. */
  beforeSending?: (mailId: string) => Promise<void>;
  /** Tests: runs after the mailer accepted a mail and before it is marked sent (the crash window). */
  afterSend?: (mailId: string) => Promise<void>;
}

export interface MailRunResult {
  sent: number;
  skipped: number;
  retried: number;
  failed: number;
  /** Stale sending mails recovered as unknown (not resent). */
  unknown: number;
}

// Longer than nodemailer's own timeouts for one mail, so that a slow send is not taken for a dead worker.
const DEFAULT_LEASE_MS = 10 * 60_000;

/** Backoff after a failed attempt `attempts` (1-based): a minute, doubling, at most six hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(attempts - 1, 0), 6 * 60 * 60_000);
}

export function messageIdOf(mailId: string, publicUrl: string): string {
  return `<${mailId}@${new URL(publicUrl).hostname || "trailmark"}>`;
}

/** Sends every due mail (in batches) and returns what happened. */
export async function sendDueCreatorMails(options: CreatorMailWorkerOptions): Promise<MailRunResult> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const result: MailRunResult = { sent: 0, skipped: 0, retried: 0, failed: 0, unknown: 0 };
  const recovered = await recoverStaleMails(db, now());
  if (recovered.length > 0) {
    result.unknown = recovered.length;
    console.warn(
      `creator mails left sending by a stopped worker, not resent (may or may not have been delivered): ${recovered.join(", ")}`,
    );
  }
  for (let round = 0; round < 100; round++) {
    const batch = await claimDueMails(db, { now: now(), leaseMs, limit: options.batchSize ?? 20 });
    if (batch.length === 0) break;
    for (const mail of batch) {
      const outcome = await deliver(options, mail, now, leaseMs);
      result[outcome]++;
    }
  }
  return result;
}

async function deliver(
  options: CreatorMailWorkerOptions,
  mail: ClaimedMail,
  now: () => Date,
  leaseMs: number,
): Promise<"sent" | "skipped" | "retried" | "failed"> {
  const { db, publicUrl } = options;
  const kind = mail.kind as MailKind;
  if (!(MAIL_KINDS as readonly string[]).includes(kind)) {
    await markSkipped(db, mail, `unknown kind ${mail.kind}`);
    return "skipped";
  }
  const [creator, store, setting] = await Promise.all([
    recipientOf(db, mail),
    db.store.findUnique({ where: { id: mail.storeId }, select: { name: true, hashKey: true } }),
    mailSettingOf(db, mail.storeId, mail.creatorId),
  ]);
  if (!creator?.email || !store) {
    await markSkipped(db, mail, "the creator has no email address");
    return "skipped";
  }
  const optional = preferenceKindOf(kind);
  if (optional && setting.off.includes(optional)) {
    await markSkipped(db, mail, `unsubscribed from ${optional}`);
    return "skipped";
  }
  const f = translator(setting.locale ?? "en");
  const base = publicUrl.replace(/\/$/, "");
  const unsubscribeUrl = optional
    ? `${base}/portal/unsubscribe?token=${encodeURIComponent(
        unsubscribeToken(store.hashKey, { storeId: mail.storeId, creatorId: mail.creatorId, kind: optional }),
      )}`
    : null;
  const ctx: RenderContext = {
    storeName: store.name,
    creatorName: creator.name,
    portalUrl: `${base}/portal`,
    unsubscribeUrl,
  };
  let digestIds: string[] = [];
  if (kind === "commission_reversed") ctx.reason = await reasonOf(db, mail, f);
  if (kind === "commission_digest") {
    const items = await db.creatorMail.findMany({
      where: { storeId: mail.storeId, creatorId: mail.creatorId, status: "digest", dueAt: mail.dueAt },
      orderBy: { createdAt: "asc" },
      select: { id: true, data: true },
    });
    if (items.length === 0) {
      await markSkipped(db, mail, "nothing left to list");
      return "skipped";
    }
    digestIds = items.map((i) => i.id);
    ctx.digest = items.map((i) => MAIL_DATA.commission_pending.parse(JSON.parse(i.data)));
  }
  let rendered: ReturnType<typeof renderCreatorMail>;
  try {
    rendered = renderCreatorMail(kind, JSON.parse(mail.data), ctx, f);
  } catch (error) {
    // Data that does not parse will not parse on a retry either.
    await markSkipped(db, mail, `cannot render: ${String(error)}`);
    return "skipped";
  }
  await options.beforeSending?.(mail.id);
  if (!(await markSending(db, mail, new Date(now().getTime() + leaseMs)))) return "skipped";
  try {
    await options.mailer.send({
      to: creator.email,
      fromName: store.name,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: messageIdOf(mail.id, publicUrl),
      headers: unsubscribeUrl
        ? { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
        : {},
    });
  } catch (error) {
    const maxAttempts = options.maxAttempts ?? 8;
    const last = mail.attempts >= maxAttempts;
    await markRetry(db, mail, String(error), last ? null : new Date(now().getTime() + retryDelayMs(mail.attempts)));
    console.warn(`creator mail ${mail.id} (${kind}) not sent, attempt ${mail.attempts}: ${String(error)}`);
    return last ? "failed" : "retried";
  }
  await options.afterSend?.(mail.id);
  await markSent(db, mail.id, now());
  await markDigested(db, digestIds, now());
  return "sent";
}

/** The creator the mail is for; a rejected applicant is no creator: the row names their application instead. */
async function recipientOf(db: Db, mail: ClaimedMail): Promise<{ name: string; email: string | null } | null> {
  const where = { id: mail.creatorId, storeId: mail.storeId };
  const select = { name: true, email: true };
  const creator = await db.creator.findFirst({ where, select });
  if (creator || mail.kind !== "application_rejected") return creator;
  return db.creatorApplication.findFirst({ where, select });
}

/** Why a commission was reversed or reduced, in the words the portal's conversion page uses. */
async function reasonOf(db: Db, mail: ClaimedMail, f: ReturnType<typeof translator>): Promise<string | null> {
  const data = MAIL_DATA.commission_reversed.safeParse(JSON.parse(mail.data));
  if (!data.success) return null;
  const { storeId } = mail;
  const c = await db.commission.findFirst({ where: { id: data.data.commissionId, storeId } });
  if (!c) return null;
  const [conversion, campaign] = await Promise.all([
    db.conversion.findFirst({ where: { id: c.conversionId, storeId }, select: { orderId: true } }),
    db.campaign.findFirst({
      where: { id: c.campaignId, storeId },
      select: { lookbackDays: true, minOrderValue: true, currency: true },
    }),
  ]);
  const order = conversion?.orderId
    ? await db.order.findFirst({
        where: { id: conversion.orderId, storeId },
        select: { status: true, total: true, refunded: true, currency: true, sourceUpdatedAt: true },
      })
    : null;
  const why = explainCommission(
    {
      commission: {
        status: c.status,
        rule: c.rule,
        reason: c.reason,
        amount: toSafeNumber(c.amount),
        original: toSafeNumber(c.original),
        currency: c.currency,
        reversedAt: c.reversedAt,
        updatedAt: c.updatedAt,
      },
      order: order
        ? {
            status: order.status,
            total: toSafeNumber(order.total),
            refunded: toSafeNumber(order.refunded),
            currency: order.currency,
            changedAt: order.sourceUpdatedAt,
          }
        : null,
      campaign: campaign
        ? {
            lookbackDays: campaign.lookbackDays,
            minOrderValue: toSafeNumber(campaign.minOrderValue),
            currency: campaign.currency,
          }
        : null,
    },
    f,
  );
  return why ? f.t(why.key, why.params) : null;
}

export interface CreatorMailWorker {
  /** Sends what is due now (also what the timer does). */
  tick(): Promise<MailRunResult>;
  /** Stops polling and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Polls the outbox every `pollMs` (5 s by default). Every instance may run one: claims are leases, so two
 * workers never take the same mail.
 */
export function startCreatorMailWorker(options: CreatorMailWorkerOptions & { pollMs?: number }): CreatorMailWorker {
  const pollMs = options.pollMs ?? 5_000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<MailRunResult> | null = null;
  const empty: MailRunResult = { sent: 0, skipped: 0, retried: 0, failed: 0, unknown: 0 };
  function tick(): Promise<MailRunResult> {
    if (running) return running.then(() => empty);
    running = sendDueCreatorMails(options).finally(() => {
      running = null;
    });
    return running;
  }
  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((error: unknown) => console.warn(`creator mail worker failed: ${String(error)}`))
        .finally(schedule);
    }, pollMs);
    timer.unref();
  }
  schedule();
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => empty);
    },
  };
}
