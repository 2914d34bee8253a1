import type { PayoutMethod } from "../payouts/provider.ts";
import { formatMinorUnits } from "../shared/money.ts";
import { Html, html } from "./html.ts";
import type { Earnings, PortalOverview, PortalPayout, PortalPayoutMethod } from "./portal-data.ts";
import { EARNING_STATUSES } from "./portal-data.ts";

// The portal's pages: plain functions from data to Html. Every value goes through `html`, so it is escaped.

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#f6f6f4}
header{background:#1f3a2e;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center}
header a{color:#fff}header form{margin-left:auto}main{max-width:1100px;margin:24px auto;padding:0 24px}
table{border-collapse:collapse;width:100%;background:#fff;margin:12px 0 24px}
th,td{border:1px solid #ddd;padding:6px 10px;text-align:left;vertical-align:top}th{background:#eee}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}code{font-size:13px}
.note{background:#fff;border:1px solid #ddd;padding:12px 16px}.error{color:#a40000}
section.store{background:#fff;border:1px solid #ddd;padding:12px 16px;margin:12px 0}
label{display:block;margin:8px 0}input[type=email]{padding:6px;width:280px}button{padding:6px 14px}`;

export interface Page {
  title: string;
  body: Html;
  /** Signed in: the nav and the sign-out form, which carries this CSRF token. */
  csrfToken?: string;
}

export function layout({ title, body, csrfToken }: Page): Html {
  const nav =
    csrfToken === undefined
      ? html`<strong>Trailmark creator portal</strong>`
      : html`<strong>Trailmark</strong><a href="/portal">Overview</a><a href="/portal/payouts">Payouts</a>
<a href="/portal/payout-method">Payout method</a>
<form method="post" action="/portal/sign-out"><input type="hidden" name="csrf" value="${csrfToken}"><button>Sign out</button></form>`;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${title} · Trailmark</title>
<style>${Html.trusted(STYLE)}</style></head><body><header>${nav}</header><main><h1>${title}</h1>${body}</main></body></html>`;
}

const money = (amount: number, currency: string) => `${formatMinorUnits(amount, currency)} ${currency}`;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");

export function signInPage(input: { csrfToken: string; email?: string; error?: string }): Page {
  return {
    title: "Sign in",
    body: html`<p>Enter the email address your brands know you by. We will send you a link to sign in.</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ""}
<form method="post" action="/portal/sign-in">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<label>Email <input type="email" name="email" required maxlength="320" autocomplete="email" value="${input.email ?? ""}"></label>
<button>Send me a sign-in link</button></form>`,
  };
}

export function checkEmailPage(email: string): Page {
  return {
    title: "Check your email",
    body: html`<p class="note">If ${email} belongs to a creator, a sign-in link is on its way. It works once, for 15 minutes.</p>
<p><a href="/portal/sign-in">Use another address</a></p>`,
  };
}

/** What an emailed link opens: nothing is spent until the creator presses the button. */
export function confirmSignInPage(input: { csrfToken: string; token: string }): Page {
  return {
    title: "Sign in",
    body: html`<p>Continue to your Trailmark creator portal.</p>
<form method="post" action="/portal/auth">
<input type="hidden" name="csrf" value="${input.csrfToken}"><input type="hidden" name="token" value="${input.token}">
<button>Sign in</button></form>`,
  };
}

export function badLinkPage(): Page {
  return {
    title: "This link does not work",
    body: html`<p class="note">The sign-in link was already used or has expired. Links work once, for 15 minutes.</p>
<p><a href="/portal/sign-in">Send a new link</a></p>`,
  };
}

export function messagePage(title: string, message: string, csrfToken?: string): Page {
  return {
    title,
    body: html`<p class="note">${message}</p><p><a href="/portal">Back to the portal</a></p>`,
    csrfToken,
  };
}

function earningsCells(earnings: { currency: string; amounts: Earnings }[]): Html {
  if (earnings.length === 0) return html`${EARNING_STATUSES.map(() => html`<td class="num">—</td>`)}`;
  return html`${EARNING_STATUSES.map(
    (status) =>
      html`<td class="num" data-status="${status}">${earnings.map(
        (e, i) => html`${i > 0 ? html`<br>` : ""}${money(e.amounts[status], e.currency)}`,
      )}</td>`,
  )}`;
}

export function overviewPage(data: PortalOverview, publicUrl: string, csrfToken: string): Page {
  const base = publicUrl.replace(/\/+$/, "");
  const stores = data.creators.map((c) => c.storeName);
  const body = html`<p>Your links and earnings at ${stores.length === 1 ? "1 store" : `${stores.length} stores`}.
Earnings are in each campaign's currency and never added across currencies.</p>
<h2>Totals</h2>
${
  data.totals.length === 0
    ? html`<p class="note">No earnings yet.</p>`
    : html`<table id="totals"><thead><tr><th>Currency</th>${EARNING_STATUSES.map((s) => html`<th>${s}</th>`)}</tr></thead><tbody>
${data.totals.map(
  (t) =>
    html`<tr><td>${t.currency}</td>${EARNING_STATUSES.map((s) => html`<td class="num">${money(t.amounts[s], t.currency)}</td>`)}</tr>`,
)}</tbody></table>`
}
<h2>Links</h2>
${
  data.rows.length === 0
    ? html`<p class="note">No tracking links yet.</p>`
    : html`<table id="links"><thead><tr><th>Store</th><th>Campaign</th><th>Tracking URL</th><th>Qualified clicks</th>
<th>Conversions</th>${EARNING_STATUSES.map((s) => html`<th>${s}</th>`)}</tr></thead><tbody>
${data.rows.map(
  (r) => html`<tr><td>${r.storeName}</td><td>${r.campaignName}</td>
<td>${r.codes.length === 0 ? "—" : r.codes.map((code, i) => html`${i > 0 ? html`<br>` : ""}<code>${`${base}/c/${code}`}</code>`)}</td>
<td class="num">${r.qualifiedClicks}</td><td class="num">${r.conversions}</td>${earningsCells(r.earnings)}</tr>`,
)}</tbody></table>`
}`;
  return { title: "Your links and earnings", body, csrfToken };
}

export function payoutsPage(payouts: PortalPayout[], csrfToken: string): Page {
  const body =
    payouts.length === 0
      ? html`<p class="note">No payouts yet.</p>`
      : html`<table id="payouts"><thead><tr><th>Created</th><th>Store</th><th>Amount</th><th>Method</th><th>Status</th>
<th>Paid</th><th>Reference</th></tr></thead><tbody>
${payouts.map(
  (p) => html`<tr><td>${day(p.createdAt)}</td><td>${p.storeName}</td><td class="num">${money(p.amount, p.currency)}</td>
<td>${p.method}</td><td>${p.status}${p.failureReason ? html`<br><span class="error">${p.failureReason}</span>` : ""}</td>
<td>${day(p.paidAt)}</td><td>${p.providerReference ?? ""}</td></tr>`,
)}</tbody></table>`;
  return { title: "Payouts", body, csrfToken };
}

function describeMethod(m: PortalPayoutMethod): Html {
  const a = m.account;
  if (!a) return html`Not chosen: the store pays you by its default method.`;
  const labels: Record<PayoutMethod, string> = { stripe: "Stripe", paypal: "PayPal", manual: "Paid by hand" };
  if (a.method === "paypal") return html`PayPal: <strong>${a.paypalEmail ?? ""}</strong>`;
  if (a.method === "stripe")
    return html`Stripe: ${a.stripeReady ? "ready to receive payouts" : "onboarding not finished"}`;
  return html`${labels[a.method]}`;
}

export function payoutMethodPage(input: {
  methods: PortalPayoutMethod[];
  csrfToken: string;
  stripeEnabled: boolean;
  saved?: boolean;
  error?: { creatorId: string; message: string; paypalEmail: string };
}): Page {
  const body = html`${input.saved ? html`<p class="note" role="status">Saved.</p>` : ""}
${input.methods.map((m) => {
  const error = input.error?.creatorId === m.creatorId ? input.error : undefined;
  return html`<section class="store" data-store="${m.storeId}"><h2>${m.storeName}</h2>
<p>Current method: ${describeMethod(m)}</p>
${error ? html`<p class="error" role="alert">${error.message}</p>` : ""}
<form method="post" action="/portal/payout-method">
<input type="hidden" name="csrf" value="${input.csrfToken}"><input type="hidden" name="creatorId" value="${m.creatorId}">
<input type="hidden" name="method" value="paypal">
<label>PayPal email <input type="email" name="paypalEmail" required maxlength="320"
value="${error?.paypalEmail ?? m.account?.paypalEmail ?? ""}"></label><button>Use PayPal</button></form>
${
  input.stripeEnabled
    ? html`<form method="post" action="/portal/payout-method">
<input type="hidden" name="csrf" value="${input.csrfToken}"><input type="hidden" name="creatorId" value="${m.creatorId}">
<input type="hidden" name="method" value="stripe"><button>${m.account?.stripeAccountId ? "Continue Stripe onboarding" : "Get paid with Stripe"}</button></form>`
    : ""
}</section>`;
})}`;
  return { title: "Payout method", body, csrfToken: input.csrfToken };
}
