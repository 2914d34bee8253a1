import type { z } from "zod";
import { html } from "../portal/html.ts";
import type { MessageKey, Translator } from "../portal/i18n.ts";
import { MAIL_DATA, type MailKind } from "./mail-kinds.ts";

// Pure: a creator mail's subject, plain text and HTML, in the creator's language, from the outbox row's data.
// The words are the portal's catalog (portal/i18n.ts, mail.*), so a mail and the page it links to agree.

export interface RenderContext {
  storeName: string;
  creatorName: string;
  /** Where "see it in the portal" points. */
  portalUrl: string;
  /** The kind's unsubscribe link; null for mails that cannot be turned off. */
  unsubscribeUrl: string | null;
  /** commission_reversed: why, in the portal's words (portal/explain-commission.ts); null when unknown. */
  reason?: string | null;
  /** commission_digest: the day's held-back commission mails' data. */
  digest?: readonly z.input<(typeof MAIL_DATA)["commission_pending"]>[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** One mail: paragraphs of text (the same in both parts), an optional list, then the portal link and sign-off. */
function compose(
  f: Translator,
  ctx: RenderContext,
  subject: string,
  paragraphs: readonly string[],
  list: readonly string[] = [],
  extraLink?: { label: string; url: string },
): RenderedMail {
  const { t } = f;
  const greeting = t("mail.greeting", { name: ctx.creatorName });
  const signOff = t("mail.signOff", { store: ctx.storeName });
  const text = [
    greeting,
    "",
    ...paragraphs.flatMap((p) => [p, ""]),
    ...(list.length ? [...list.map((l) => `- ${l}`), ""] : []),
    ...(extraLink ? [extraLink.label, ""] : []),
    t("mail.portal", { url: ctx.portalUrl }),
    "",
    signOff,
    ...(ctx.unsubscribeUrl ? ["", t("mail.unsubscribeText", { store: ctx.storeName, url: ctx.unsubscribeUrl })] : []),
    "",
  ].join("\n");
  const body = html`<!doctype html><html lang="${f.locale}"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36rem;margin:0 auto;padding:1rem">
<p>${greeting}</p>
${paragraphs.map((p) => html`<p>${p}</p>`)}
${list.length ? html`<ul>${list.map((l) => html`<li>${l}</li>`)}</ul>` : ""}
${extraLink ? html`<p><a href="${extraLink.url}">${extraLink.label}</a></p>` : ""}
<p><a href="${ctx.portalUrl}" style="display:inline-block;padding:.5rem 1rem;background:#1a56db;color:#fff;text-decoration:none;border-radius:4px">${t("mail.portalButton")}</a></p>
<p>${signOff}</p>
${ctx.unsubscribeUrl ? html`<p style="font-size:.85em;color:#555"><a href="${ctx.unsubscribeUrl}">${t("mail.unsubscribe")}</a></p>` : ""}
</body></html>`;
  return { subject, text, html: body.toString() };
}

export function renderCreatorMail(kind: MailKind, rawData: unknown, ctx: RenderContext, f: Translator): RenderedMail {
  const { t } = f;
  const store = ctx.storeName;
  switch (kind) {
    case "commission_pending": {
      const d = MAIL_DATA.commission_pending.parse(rawData);
      const amount = f.money(d.amount, d.currency);
      return compose(f, ctx, t("mail.commission_pending.subject", { amount, store }), [
        t("mail.commission_pending.body", {
          amount,
          orderTotal: f.money(d.orderTotal, d.orderCurrency),
          holdUntil: f.date(new Date(d.holdUntil)),
        }),
      ]);
    }
    case "commission_approved": {
      const d = MAIL_DATA.commission_approved.parse(rawData);
      const amount = f.money(d.amount, d.currency);
      return compose(f, ctx, t("mail.commission_approved.subject", { amount }), [
        t("mail.commission_approved.body", { amount, store }),
      ]);
    }
    case "commission_paid": {
      const d = MAIL_DATA.commission_paid.parse(rawData);
      const amount = f.money(d.amount, d.currency);
      return compose(f, ctx, t("mail.commission_paid.subject", { amount, store }), [
        t("mail.commission_paid.body", { amount, store }),
        ...(d.reference ? [t("mail.commission_paid.reference", { reference: d.reference })] : []),
      ]);
    }
    case "commission_reversed": {
      const d = MAIL_DATA.commission_reversed.parse(rawData);
      const params = { amount: f.money(d.amount, d.currency), previous: f.money(d.previous, d.currency), store };
      const reversed = d.amount === 0;
      const subject: MessageKey = reversed ? "mail.commission_reversed.subject" : "mail.commission_reduced.subject";
      const body: MessageKey = reversed ? "mail.commission_reversed.body" : "mail.commission_reduced.body";
      return compose(f, ctx, t(subject, params), [t(body, params), ...(ctx.reason ? [ctx.reason] : [])]);
    }
    case "commission_digest": {
      const d = MAIL_DATA.commission_digest.parse(rawData);
      const items = (ctx.digest ?? []).map((i) => MAIL_DATA.commission_pending.parse(i));
      const day = f.date(new Date(`${d.day}T00:00:00Z`));
      // Totals per currency, never summed across currencies.
      const totals = new Map<string, number>();
      for (const i of items) totals.set(i.currency, (totals.get(i.currency) ?? 0) + i.amount);
      const total = [...totals].map(([currency, amount]) => f.money(amount, currency)).join(" + ");
      const count = items.length;
      return compose(
        f,
        ctx,
        t("mail.commission_digest.subject", { count, store, day }),
        [t("mail.commission_digest.body", { count, day, total })],
        items.map((i) =>
          t("mail.commission_digest.item", {
            amount: f.money(i.amount, i.currency),
            orderTotal: f.money(i.orderTotal, i.orderCurrency),
            holdUntil: f.date(new Date(i.holdUntil)),
          }),
        ),
      );
    }
    case "payout_method_missing": {
      const d = MAIL_DATA.payout_method_missing.parse(rawData);
      const amount = f.money(d.amount, d.currency);
      return compose(f, ctx, t("mail.payout_method_missing.subject", { amount, store }), [
        t("mail.payout_method_missing.body", { amount, store }),
      ]);
    }
    case "welcome":
    case "application_approved": {
      const d = MAIL_DATA[kind].parse(rawData);
      const signIn = `${ctx.portalUrl}/sign-in`;
      return compose(
        f,
        ctx,
        t(kind === "welcome" ? "mail.welcome.subject" : "mail.application_approved.subject", { store }),
        [t(kind === "welcome" ? "mail.welcome.body" : "mail.application_approved.body", { store })],
        d.links.map((l) => {
          const params = { campaign: l.campaign, url: l.url, code: l.code ?? "" };
          if (l.code) return t("mail.onboarding.code", params);
          return t(l.codePending ? "mail.onboarding.codePending" : "mail.onboarding.link", params);
        }),
        // The portal's sign-in page rather than a one-time link: the mail may wait in the outbox or an inbox
        // longer than a link lives, and the outbox holds no secret.
        { label: t("mail.onboarding.signIn", { url: signIn }), url: signIn },
      );
    }
    case "application_rejected": {
      const d = MAIL_DATA.application_rejected.parse(rawData);
      return compose(f, ctx, t("mail.application_rejected.subject", { store }), [
        t("mail.application_rejected.body", { store }),
        ...(d.reason ? [t("mail.application_rejected.reason", { reason: d.reason })] : []),
      ]);
    }
  }
}
