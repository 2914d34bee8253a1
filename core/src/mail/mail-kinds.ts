import { z } from "zod";

// Every mail Trailmark sends a creator, and what each carries. The data is a snapshot taken in the transaction
// that caused the mail (amounts as they were then); it is parsed with these schemas when the worker renders it.

export const MAIL_KINDS = [
  "commission_pending",
  "commission_approved",
  "commission_paid",
  "commission_reversed",
  "commission_digest",
  "payout_method_missing",
  "application_approved",
  "application_rejected",
  "welcome",
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/**
 * The kinds a creator may turn off, each with its own unsubscribe link. Payout mails (paid, payout method
 * missing) are about money already owed and are always sent; application and welcome mails answer something
 * the creator did and come once. The digest follows the commission_pending setting.
 */
export const OPTIONAL_KINDS = ["commission_pending", "commission_approved", "commission_reversed"] as const;
export type OptionalKind = (typeof OPTIONAL_KINDS)[number];

export function preferenceKindOf(kind: MailKind): OptionalKind | null {
  if (kind === "commission_digest") return "commission_pending";
  return (OPTIONAL_KINDS as readonly string[]).includes(kind) ? (kind as OptionalKind) : null;
}

const Money = { amount: z.number().int(), currency: z.string().length(3) };

/**
 * An approval's links, as they were when it committed: the code only when it works in the shop. A code the
 * approval just made is still being created there (after the commit): codePending, and the mail says the portal
 * shows it once it works.
 */
const Onboarding = z.object({
  links: z
    .array(
      z.object({
        campaign: z.string(),
        url: z.string(),
        code: z.string().nullable().default(null),
        codePending: z.boolean().default(false),
      }),
    )
    .default([]),
});

export const MAIL_DATA = {
  commission_pending: z.object({
    commissionId: z.string(),
    ...Money,
    orderTotal: z.number().int(),
    orderCurrency: z.string().length(3),
    holdUntil: z.iso.datetime(),
  }),
  commission_approved: z.object({ commissionId: z.string(), ...Money }),
  commission_paid: z.object({ payoutId: z.string(), ...Money, reference: z.string().nullable() }),
  commission_reversed: z.object({ commissionId: z.string(), ...Money, previous: z.number().int() }),
  /** The UTC day whose held-back commission mails it lists (they are CreatorMail rows in status "digest"). */
  commission_digest: z.object({ day: z.iso.date() }),
  payout_method_missing: z.object({ ...Money, minimum: z.number().int() }),
  /** An existing creator joined through an application or invitation: the new links (the portal they know). */
  application_approved: Onboarding,
  /**
   * The applicant is not a creator: the row's creatorId is the application's id, and the worker reads the
   * address from the application (worker.ts recipientOf).
   */
  application_rejected: z.object({ reason: z.string().nullable().default(null) }),
  /** A new creator: their links and codes, and where to sign in to the portal. */
  welcome: Onboarding,
} satisfies Record<MailKind, z.ZodType>;

export type MailData<K extends MailKind> = z.input<(typeof MAIL_DATA)[K]>;

/** A payout-method reminder goes out at most once per this many days per creator and store. */
export const PAYOUT_METHOD_REMINDER_DAYS = 7;
