import { DAY_MS } from "../db/day-number.ts";
import { dayText } from "../db/sql.ts";
import { OPTIONAL_KINDS, type OptionalKind } from "../mail/mail-kinds.ts";
import { barChart } from "./chart.ts";
import { displayStatus, type Explanation, explainCommission } from "./explain-commission.ts";
import { Html, html } from "./html.ts";
import { LOCALES, type Locale, type MessageKey, type Translator } from "./i18n.ts";
import { ACTIVITY_RANGES, type ActivityDay, type ActivityRange } from "./portal-activity.ts";
import {
  CONVERSION_FILTERS,
  type ConversionFilter,
  type PortalConversionDetail,
  type PortalConversionRow,
} from "./portal-conversions.ts";
import { EARNING_STATUSES, type PortalLink, type PortalPayoutMethod, type PortalStoreOverview } from "./portal-data.ts";
import type { PortalPayout, PortalPayoutLine } from "./portal-payouts.ts";

// The portal's pages: plain functions from data to Html, every value escaped by `html`, every string from the
// catalog. The look follows the admin's: Polaris 13 light-theme tokens (values from @shopify/polaris-tokens),
// cards on a grey page. Tables turn into stacked rows under 640 px, so a 390 px phone never scrolls sideways.

const STYLE = `:root{--p-color-bg:rgba(241,241,241,1);--p-color-bg-surface:rgba(255,255,255,1);
--p-color-bg-surface-secondary:rgba(247,247,247,1);--p-color-text:rgba(48,48,48,1);--p-color-text-secondary:rgba(97,97,97,1);
--p-color-border:rgba(227,227,227,1);--p-color-border-secondary:rgba(235,235,235,1);--p-color-text-link:rgba(0,91,211,1);
--p-color-bg-fill-brand:rgba(48,48,48,1);--p-color-text-critical:rgba(142,11,33,1);--p-color-text-success:rgba(1,75,64,1);
--p-color-bg-fill-success-secondary:rgba(205,254,212,1);--p-color-bg-fill-critical-secondary:rgba(254,209,215,1);
--p-color-bg-fill-caution-secondary:rgba(255,239,157,1);--p-color-bg-fill-info-secondary:rgba(234,244,255,1);
--p-border-radius-200:.5rem;--p-border-radius-300:.75rem;--p-space-200:.5rem;--p-space-300:.75rem;--p-space-400:1rem;
--p-shadow-100:0 .0625rem 0 0 rgba(26,26,26,.07);--p-font-family-sans:'Inter',-apple-system,BlinkMacSystemFont,'San Francisco','Segoe UI',Roboto,'Helvetica Neue',sans-serif}
*{box-sizing:border-box}body{font:14px/20px var(--p-font-family-sans);margin:0;color:var(--p-color-text);background:var(--p-color-bg);overflow-wrap:anywhere}
a{color:var(--p-color-text-link)}h1{font-size:20px;line-height:28px;margin:0 0 var(--p-space-400)}
h2{font-size:16px;line-height:24px;margin:0 0 var(--p-space-300)}h3{font-size:14px;margin:var(--p-space-400) 0 var(--p-space-200)}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:2}
header{background:var(--p-color-bg-fill-brand);color:#fff;padding:var(--p-space-300) var(--p-space-400)}
header .bar{max-width:1100px;margin:0 auto;display:flex;flex-wrap:wrap;gap:var(--p-space-200) var(--p-space-400);align-items:center}
header strong{margin-right:auto}header form{margin:0}
nav ul{display:flex;flex-wrap:wrap;gap:var(--p-space-200);list-style:none;margin:0;padding:0}
nav a{color:#fff;text-decoration:none;padding:4px 10px;border-radius:var(--p-border-radius-200);display:inline-block}
nav a[aria-current]{background:rgba(255,255,255,.2);font-weight:600}nav a:hover{background:rgba(255,255,255,.12)}
main{max-width:1100px;margin:var(--p-space-400) auto;padding:0 var(--p-space-400)}
.card{background:var(--p-color-bg-surface);border-radius:var(--p-border-radius-300);box-shadow:var(--p-shadow-100),0 0 0 1px var(--p-color-border-secondary);padding:var(--p-space-400);margin:0 0 var(--p-space-400)}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--p-color-border-secondary);padding:6px 8px;text-align:left;vertical-align:top}
th{color:var(--p-color-text-secondary);font-weight:600;background:var(--p-color-bg-surface-secondary)}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}code{font-size:13px;word-break:break-all}
.muted{color:var(--p-color-text-secondary)}.error{color:var(--p-color-text-critical)}
.note{background:var(--p-color-bg-surface-secondary);border-radius:var(--p-border-radius-200);padding:var(--p-space-300)}
.badge{display:inline-block;border-radius:var(--p-border-radius-200);padding:0 8px;background:var(--p-color-bg-surface-secondary);white-space:nowrap}
.badge.paid,.badge.approved{background:var(--p-color-bg-fill-success-secondary)}.badge.pending{background:var(--p-color-bg-fill-info-secondary)}
.badge.reversed,.badge.rejected,.badge.over_budget{background:var(--p-color-bg-fill-critical-secondary)}.badge.reduced{background:var(--p-color-bg-fill-caution-secondary)}
button,.button{font:inherit;padding:6px 12px;border-radius:var(--p-border-radius-200);border:1px solid var(--p-color-border);background:var(--p-color-bg-surface);cursor:pointer;color:var(--p-color-text);text-decoration:none;display:inline-block}
.primary{background:var(--p-color-bg-fill-brand);color:#fff;border-color:var(--p-color-bg-fill-brand)}
label{display:block;margin:var(--p-space-200) 0}input[type=email],input[type=text],input[type=number],textarea,select{font:inherit;padding:6px;max-width:100%;width:320px;border:1px solid var(--p-color-border);border-radius:var(--p-border-radius-200)}
.hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}.terms{white-space:pre-wrap;max-height:16em;overflow:auto}textarea{width:100%;max-width:560px}
.chart{width:100%;height:120px;display:block}.chart rect{fill:rgba(0,91,211,.75)}.chart .axis{stroke:var(--p-color-border)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:var(--p-space-400)}
.links{display:grid;gap:var(--p-space-400)}.link{display:flex;flex-wrap:wrap;gap:var(--p-space-400);align-items:flex-start}
.link .qr{width:132px;height:132px;flex:none}.link .what{flex:1 1 240px;min-width:0}.copyrow{display:flex;flex-wrap:wrap;gap:var(--p-space-200);align-items:center;margin:4px 0}
.pager{display:flex;flex-wrap:wrap;gap:var(--p-space-200);align-items:center;margin-top:var(--p-space-300)}
.ranges{display:flex;gap:var(--p-space-200);list-style:none;padding:0;margin:0 0 var(--p-space-300)}.ranges a[aria-current]{font-weight:600;color:var(--p-color-text);text-decoration:none}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px var(--p-space-400);margin:0}dl.facts dt{color:var(--p-color-text-secondary)}dl.facts dd{margin:0}
@media (max-width:640px){main{padding:0 var(--p-space-300)}.card{padding:var(--p-space-300)}
table.stack thead{position:absolute;left:-9999px}table.stack tr{display:block;border-bottom:1px solid var(--p-color-border-secondary);padding:6px 0}
table.stack td{display:flex;justify-content:space-between;gap:var(--p-space-300);border:0;padding:2px 0;text-align:right}
table.stack td::before{content:attr(data-label);color:var(--p-color-text-secondary);text-align:left}
dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:6px}}`;

export type NavKey = "overview" | "links" | "conversions" | "payouts" | "settings";

export interface Page {
  title: string;
  body: Html;
  /** Signed in: the nav and the sign-out form, which carries this CSRF token. */
  csrfToken?: string;
  current?: NavKey;
}

const NAV: [NavKey, string, MessageKey][] = [
  ["overview", "/portal", "nav.overview"],
  ["links", "/portal/links", "nav.links"],
  ["conversions", "/portal/conversions", "nav.conversions"],
  ["payouts", "/portal/payouts", "nav.payouts"],
  ["settings", "/portal/settings", "nav.settings"],
];

export function layout({ title, body, csrfToken, current }: Page, f: Translator): Html {
  const { t } = f;
  const nav =
    csrfToken === undefined
      ? ""
      : html`<nav aria-label="${t("nav.label")}"><ul>${NAV.map(
          ([key, href, label]) =>
            html`<li><a href="${href}"${current === key ? Html.trusted(' aria-current="page"') : ""}>${t(label)}</a></li>`,
        )}</ul></nav>
<form method="post" action="/portal/sign-out"><input type="hidden" name="csrf" value="${csrfToken}"><button>${t("nav.signOut")}</button></form>`;
  return html`<!doctype html><html lang="${f.locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${title} · Trailmark</title>
<style>${Html.trusted(STYLE)}</style>${csrfToken === undefined ? "" : Html.trusted('<script src="/portal/assets/portal.js" defer></script>')}</head>
<body><a class="skip" href="#main">${t("nav.skip")}</a><header><div class="bar"><strong>${t("app.name")}</strong>${nav}</div></header>
<main id="main"><h1>${title}</h1>${body}</main></body></html>`;
}

/** What the Copy buttons run: served from /portal/assets/portal.js (script-src 'self'). */
export const PORTAL_SCRIPT = `document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
  if (!button) return;
  const text = button.getAttribute("data-copy");
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  const status = button.parentElement && button.parentElement.querySelector(".copied");
  if (status) {
    status.textContent = button.getAttribute("data-done");
    setTimeout(() => { status.textContent = ""; }, 4000);
  }
});
`;

function label(f: Translator, prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey;
  const text = f.t(key);
  return text === undefined ? value : text;
}

const statusBadge = (f: Translator, status: string) =>
  html`<span class="badge ${status}">${label(f, "status", status)}</span>`;

export function signInPage(f: Translator, input: { csrfToken: string; email?: string; error?: string }): Page {
  const { t } = f;
  return {
    title: t("signIn.title"),
    body: html`<div class="card"><p>${t("signIn.intro")}</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ""}
<form method="post" action="/portal/sign-in">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<label>${t("signIn.email")} <input type="email" name="email" required maxlength="320" autocomplete="email" value="${input.email ?? ""}"></label>
<button class="primary">${t("signIn.send")}</button></form></div>`,
  };
}

export function checkEmailPage(f: Translator, email: string): Page {
  const { t } = f;
  return {
    title: t("checkEmail.title"),
    body: html`<div class="card"><p class="note">${t("checkEmail.body", { email })}</p>
<p><a href="/portal/sign-in">${t("checkEmail.other")}</a></p></div>`,
  };
}

/** What an emailed link opens: nothing is spent until the creator presses the button. */
export function confirmSignInPage(f: Translator, input: { csrfToken: string; token: string }): Page {
  const { t } = f;
  return {
    title: t("signIn.title"),
    body: html`<div class="card"><p>${t("confirm.body")}</p>
<form method="post" action="/portal/auth">
<input type="hidden" name="csrf" value="${input.csrfToken}"><input type="hidden" name="token" value="${input.token}">
<button class="primary">${t("confirm.button")}</button></form></div>`,
  };
}

export function badLinkPage(f: Translator): Page {
  const { t } = f;
  return {
    title: t("badLink.title"),
    body: html`<div class="card"><p class="note">${t("badLink.body")}</p>
<p><a href="/portal/sign-in">${t("badLink.again")}</a></p></div>`,
  };
}

export function messagePage(f: Translator, title: string, message: string, csrfToken?: string): Page {
  return {
    title,
    body: html`<div class="card"><p class="note">${message}</p><p><a href="/portal">${f.t("message.back")}</a></p></div>`,
    csrfToken,
  };
}

function dataTable(input: {
  id?: string;
  caption?: string;
  head: { text: string; num?: boolean }[];
  rows: HtmlRow[];
}): Html {
  return html`<div class="scroll"><table class="stack"${input.id ? Html.trusted(` id="${input.id}"`) : ""}>${
    input.caption ? html`<caption class="muted">${input.caption}</caption>` : ""
  }<thead><tr>${input.head.map((h) => html`<th scope="col"${h.num ? Html.trusted(' class="num"') : ""}>${h.text}</th>`)}</tr></thead><tbody>
${input.rows.map(
  (r) =>
    html`<tr${r.attrs ? Html.trusted(r.attrs) : ""}>${r.cells.map(
      (c, i) =>
        html`<td data-label="${input.head[i]?.text ?? ""}"${input.head[i]?.num ? Html.trusted(' class="num"') : ""}${c.attrs ? Html.trusted(c.attrs) : ""}>${c.value}</td>`,
    )}</tr>`,
)}</tbody></table></div>`;
}

interface HtmlRow {
  attrs?: string;
  cells: { value: Html | string | number; attrs?: string }[];
}

export function overviewPage(
  f: Translator,
  input: {
    stores: (PortalStoreOverview & { activity: ActivityDay[] })[];
    range: ActivityRange;
    csrfToken: string;
  },
): Page {
  const { t } = f;
  const body = html`<p>${input.stores.length === 1 ? t("overview.introOne") : t("overview.intro", { count: input.stores.length })}</p>
${input.stores.length === 0 ? html`<p class="note">${t("overview.noStores")}</p>` : ""}
${input.stores.map((s, index) => storeOverview(f, s, input.range, index))}`;
  return { title: t("overview.title"), body, csrfToken: input.csrfToken, current: "overview" };
}

function storeOverview(
  f: Translator,
  s: PortalStoreOverview & { activity: ActivityDay[] },
  range: ActivityRange,
  index: number,
): Html {
  const { t } = f;
  const earnings =
    s.earnings.length === 0
      ? html`<p class="note">${t("overview.noEarnings")}</p>`
      : html`${dataTable({
          id: `earnings-${index}`,
          head: [
            { text: t("overview.currency") },
            ...EARNING_STATUSES.map((st) => ({ text: label(f, "status", st), num: true })),
          ],
          rows: s.earnings.map((e) => ({
            attrs: ` data-currency="${e.currency}"`,
            cells: [
              { value: e.currency },
              ...EARNING_STATUSES.map((st) => ({
                value: f.money(e.amounts[st], e.currency),
                attrs: ` data-status="${st}"`,
              })),
            ],
          })),
        })}<p class="muted">${t("overview.reversedHint")}</p>`;
  const method = s.account
    ? html`<p>${t("overview.method", { method: label(f, "method", s.account.method) })}</p>`
    : html`<p class="note" data-next="method">${t("overview.addMethodHint")} <a class="button" href="/portal/settings">${t("overview.addMethod")}</a></p>`;
  const payouts = s.nextPayouts.map(
    (p) => html`<div data-next-currency="${p.currency}"><p>${
      p.date ? t("overview.nextPayoutDate", { date: f.date(p.date) }) : t("overview.nextPayoutManual")
    } ${t("overview.readyAmount", { amount: f.money(p.amount, p.currency) })}</p>
<p data-next="minimum">${
      p.toReach > 0
        ? t("overview.toReach", { amount: f.money(p.toReach, p.currency), minimum: f.money(p.minimum, p.currency) })
        : t("overview.minimumReached", { minimum: f.money(p.minimum, p.currency) })
    }</p></div>`,
  );
  return html`<section class="card store" data-store="${s.storeId}" aria-labelledby="store-${index}">
<h2 id="store-${index}">${s.storeName}</h2>
<h3>${t("overview.earnings")}</h3>${earnings}
<h3>${t("overview.nextPayout")}</h3>${payouts}${method}
<h3>${t("overview.activity")}</h3>${activity(f, s.activity, range, index)}
</section>`;
}

function activity(f: Translator, days: ActivityDay[], range: ActivityRange, index: number): Html {
  const { t } = f;
  const dayLabel = (d: number) => f.shortDate(new Date(d * DAY_MS));
  const currencies = [...new Set(days.flatMap((d) => Object.keys(d.earnings)))].sort();
  const series: { id: string; label: string; values: number[]; text: (v: number) => string }[] = [
    { id: "clicks", label: t("chart.clicks"), values: days.map((d) => d.clicks), text: (v) => f.number(v) },
    {
      id: "conversions",
      label: t("chart.conversions"),
      values: days.map((d) => d.conversions),
      text: (v) => f.number(v),
    },
    ...currencies.map((currency) => ({
      id: `earnings-${currency}`,
      label: t("chart.earnings", { currency }),
      values: days.map((d) => d.earnings[currency] ?? 0),
      text: (v: number) => f.money(v, currency),
    })),
  ];
  const from = days[0] ? dayLabel(days[0].day) : "";
  const to = days.at(-1) ? dayLabel(days.at(-1)!.day) : "";
  const charts = series.map((s) => {
    const total = s.values.reduce((a, b) => a + b, 0);
    const max = Math.max(0, ...s.values);
    const maxAt = s.values.indexOf(max);
    const summary = t("chart.summary", {
      label: s.label,
      from,
      to,
      total: s.text(total),
      max: s.text(max),
      maxDay: maxAt >= 0 && days[maxAt] ? dayLabel(days[maxAt]!.day) : "",
    });
    return html`<figure class="chart-box" style="margin:0"><figcaption><strong>${s.label}</strong> <span class="muted">${s.text(total)}</span></figcaption>${barChart(
      {
        id: `chart-${index}-${s.id}`,
        label: s.label,
        summary,
        bars: days.map((d, i) => ({ label: dayLabel(d.day), value: s.values[i]!, text: s.text(s.values[i]!) })),
      },
    )}</figure>`;
  });
  const ranges = html`<ul class="ranges" aria-label="${t("overview.range")}">${ACTIVITY_RANGES.map(
    (r) =>
      html`<li><a href="/portal?range=${r}"${r === range ? Html.trusted(' aria-current="true"') : ""}>${t("overview.days", { days: r })}</a></li>`,
  )}</ul>`;
  const table = dataTable({
    head: [{ text: t("chart.day") }, ...series.map((s) => ({ text: s.label, num: true }))],
    rows: [...days].reverse().map((d) => ({
      attrs: ` data-day="${dayText(d.day)}"`,
      cells: [{ value: dayLabel(d.day) }, ...series.map((s) => ({ value: s.text(s.values[days.indexOf(d)]!) }))],
    })),
  });
  return html`${ranges}<div class="charts">${charts}</div><details><summary>${t("chart.data")}</summary>${table}</details>`;
}

export function linksPage(
  f: Translator,
  input: { links: (PortalLink & { url: string | null; qr: Html | null })[]; csrfToken: string },
): Page {
  const { t } = f;
  const copy = (text: string, aria: string) =>
    html`<button type="button" data-copy="${text}" data-done="${t("links.copied")}" aria-label="${aria}">${t("links.copy")}</button>`;
  const body =
    input.links.length === 0
      ? html`<p class="note">${t("links.none")}</p>`
      : html`<p>${t("links.intro")}</p><div class="links">${input.links.map(
          (
            l,
          ) => html`<section class="card link"${l.code ? html` data-code="${l.code}"` : ""}>${l.qr ?? ""}<div class="what">
<h2>${l.campaignName} <span class="muted">· ${l.storeName}</span>${l.status === "paused" ? html` <span class="badge">${t("links.paused")}</span>` : ""}</h2>
${
  l.url
    ? html`<p class="muted">${t("links.url")}</p>
<div class="copyrow"><code>${l.url}</code>${copy(l.url, t("links.copyLink", { url: l.url }))}<span class="copied" role="status" aria-live="polite"></span></div>`
    : ""
}
${
  l.discountCodes.length === 0
    ? ""
    : html`<p class="muted">${t("links.codes")}</p>${l.discountCodes.map(
        (c) =>
          html`<div class="copyrow"><code>${c}</code>${copy(c, t("links.copyCode", { code: c }))}<span class="copied" role="status" aria-live="polite"></span></div>`,
      )}`
}</div></section>`,
        )}</div>`;
  return { title: t("links.title"), body, csrfToken: input.csrfToken, current: "links" };
}

function share(f: Translator, ppm: number): string {
  return f.percent(ppm);
}

export function conversionsPage(
  f: Translator,
  input: {
    rows: PortalConversionRow[];
    total: number;
    page: number;
    pages: number;
    filter: ConversionFilter | null;
    csrfToken: string;
  },
): Page {
  const { t } = f;
  const query = (page: number) => {
    const params = new URLSearchParams();
    if (input.filter) params.set("status", input.filter);
    if (page > 1) params.set("page", String(page));
    const s = params.toString();
    return s ? `/portal/conversions?${s}` : "/portal/conversions";
  };
  const filter = html`<form method="get" action="/portal/conversions" class="copyrow"><label style="margin:0">${t("conversions.filter")}
<select name="status"><option value="">${t("status.all")}</option>${CONVERSION_FILTERS.map(
    (s) =>
      html`<option value="${s}"${input.filter === s ? Html.trusted(" selected") : ""}>${label(f, "status", s)}</option>`,
  )}</select></label><button>${t("conversions.apply")}</button></form>`;
  const table =
    input.rows.length === 0
      ? html`<p class="note">${t("conversions.none")}</p>`
      : dataTable({
          id: "conversions",
          head: [
            { text: t("conversions.date") },
            { text: t("detail.store") },
            { text: t("detail.campaign") },
            { text: t("conversions.order") },
            { text: t("conversions.value"), num: true },
            { text: t("conversions.share"), num: true },
            { text: t("conversions.commission"), num: true },
            { text: t("conversions.status") },
          ],
          rows: input.rows.map((r) => ({
            attrs: ` data-commission="${r.commissionId}"`,
            cells: [
              { value: html`<a href="/portal/conversions/${r.commissionId}">${f.date(r.occurredAt)}</a>` },
              { value: r.storeName },
              { value: r.campaignName },
              { value: html`${label(f, "kind", r.kind)} ${r.orderRef}` },
              { value: f.money(r.value, r.currency) },
              { value: share(f, r.sharePpm) },
              { value: f.money(r.amount, r.currency) },
              { value: statusBadge(f, displayStatus(r)) },
            ],
          })),
        });
  const pager = html`<nav class="pager" aria-label="${t("conversions.pages")}"><span>${input.total === 1 ? t("conversions.countOne") : t("conversions.count", { count: f.number(input.total) })} · ${t("conversions.page", { page: input.page, pages: input.pages })}</span>
${input.page > 1 ? html`<a class="button" rel="prev" href="${query(input.page - 1)}">${t("conversions.newer")}</a>` : ""}
${input.page < input.pages ? html`<a class="button" rel="next" href="${query(input.page + 1)}">${t("conversions.older")}</a>` : ""}</nav>`;
  return {
    title: t("conversions.title"),
    body: html`<p>${t("conversions.intro")}</p><div class="card">${filter}${table}${pager}</div>`,
    csrfToken: input.csrfToken,
    current: "conversions",
  };
}

export function conversionPage(f: Translator, input: { detail: PortalConversionDetail; csrfToken: string }): Page {
  const { t } = f;
  const d = input.detail;
  const why: Explanation | null = explainCommission(
    {
      commission: {
        status: d.status,
        rule: d.rule,
        reason: d.reason,
        amount: d.amount,
        original: d.original,
        currency: d.currency,
        reversedAt: d.reversedAt,
        updatedAt: d.updatedAt,
      },
      order: d.order,
      campaign: d.campaign,
    },
    f,
  );
  const fact = (name: string, value: Html | string) => html`<dt>${name}</dt><dd>${value}</dd>`;
  const body = html`<p><a href="/portal/conversions">← ${t("detail.back")}</a></p>
<section class="card" aria-labelledby="facts"><h2 id="facts">${t("detail.facts")}</h2><dl class="facts">
${fact(t("detail.store"), d.storeName)}${fact(t("detail.campaign"), d.campaignName)}${fact(t("detail.date"), f.date(d.occurredAt))}
${fact(t("detail.value"), f.money(d.value, d.currency))}
${d.order && d.order.refunded > 0 ? fact(t("detail.refunded"), f.money(Math.min(d.order.refunded, d.order.total), d.order.currency)) : ""}
${d.model ? fact(t("detail.model"), label(f, "model", d.model)) : ""}
${fact(t("detail.share"), share(f, d.sharePpm))}
${fact(t("detail.commission"), html`<span id="commission-amount">${f.money(d.amount, d.currency)}</span>`)}
${d.original !== d.amount ? fact(t("detail.original"), f.money(d.original, d.currency)) : ""}
${d.tier > 0 ? fact(t("detail.tier"), html`<span id="tier">${t("detail.tierValue", { tier: d.tier })}</span>`) : ""}
${d.goal === "bonus" ? fact(t("detail.bonus"), html`<span id="bonus">${d.reason ?? ""}</span>`) : ""}
${fact(t("detail.status"), statusBadge(f, displayStatus(d)))}</dl></section>
<section class="card" aria-labelledby="why"><h2 id="why">${t("detail.why")}</h2>${
    why
      ? html`<p id="reason">${t(why.key, why.params)}</p><p class="muted" id="rule">${t("detail.rule", { rule: why.rule })}</p>`
      : html`<p id="reason">${t("detail.ok")}</p>`
  }${d.adjustments < 0 ? html`<p>${t("detail.adjustment", { amount: f.money(-d.adjustments, d.currency) })}</p>` : ""}</section>
<section class="card" aria-labelledby="touches"><h2 id="touches">${t("detail.touches")}</h2><p class="muted">${t("detail.touchesIntro")}</p>
<ul id="touch-list">${d.touches.map(
    (touch) =>
      html`<li>${
        touch.kind === "click"
          ? touch.code
            ? t("detail.touchClick", { code: touch.code })
            : t("detail.touchClickNoLink")
          : touch.code
            ? t("detail.touchCode", { code: touch.code })
            : t("detail.touchCodeUnknown")
      } · ${f.date(touch.at)} ${touch.at.toISOString().slice(11, 16)} UTC</li>`,
  )}</ul></section>`;
  return {
    title: t("detail.title", { kind: label(f, "kind", d.kind), ref: d.orderRef === "—" ? "" : d.orderRef }).trim(),
    body,
    csrfToken: input.csrfToken,
    current: "conversions",
  };
}

export function payoutsPage(f: Translator, input: { payouts: PortalPayout[]; csrfToken: string }): Page {
  const { t } = f;
  const table =
    input.payouts.length === 0
      ? html`<p class="note">${t("payouts.none")}</p>`
      : dataTable({
          id: "payouts",
          head: [
            { text: t("payouts.created") },
            { text: t("payouts.store") },
            { text: t("payouts.amount"), num: true },
            { text: t("payouts.method") },
            { text: t("payouts.status") },
            { text: t("payouts.paid") },
            { text: t("payouts.reference") },
          ],
          rows: input.payouts.map((p) => ({
            cells: [
              { value: html`<a href="/portal/payouts/${p.id}">${f.date(p.createdAt)}</a>` },
              { value: p.storeName },
              { value: f.money(p.amount, p.currency) },
              { value: label(f, "method", p.method) },
              {
                value: html`${label(f, "payoutStatus", p.status)}${p.failureReason ? html`<br><span class="error">${p.failureReason}</span>` : ""}`,
              },
              { value: p.paidAt ? f.date(p.paidAt) : "" },
              { value: p.providerReference ?? "" },
            ],
          })),
        });
  return {
    title: t("payouts.title"),
    body: html`<p>${t("payouts.intro")}</p><p><a class="button" href="/portal/earnings.csv" download>${t("payouts.csv")}</a></p>
<div class="card">${table}</div>`,
    csrfToken: input.csrfToken,
    current: "payouts",
  };
}

export function payoutPage(
  f: Translator,
  input: { payout: PortalPayout; lines: PortalPayoutLine[]; csrfToken: string },
): Page {
  const { t } = f;
  const p = input.payout;
  const fact = (name: string, value: Html | string) => html`<dt>${name}</dt><dd>${value}</dd>`;
  const body = html`<p><a href="/portal/payouts">← ${t("payout.back")}</a></p>
<section class="card"><dl class="facts">${fact(t("payouts.store"), p.storeName)}${fact(t("payouts.created"), f.date(p.createdAt))}
${fact(t("payouts.method"), label(f, "method", p.method))}${fact(t("payouts.status"), label(f, "payoutStatus", p.status))}
${p.paidAt ? fact(t("payouts.paid"), f.date(p.paidAt)) : ""}${p.providerReference ? fact(t("payouts.reference"), p.providerReference) : ""}</dl></section>
<section class="card" aria-labelledby="lines"><h2 id="lines">${t("payout.lines")}</h2>${dataTable({
    id: "payout-lines",
    head: [{ text: t("payout.line") }, { text: t("conversions.date") }, { text: t("payouts.amount"), num: true }],
    rows: input.lines.map((l) => ({
      cells: [
        {
          value:
            l.kind === "commission"
              ? l.commissionId
                ? html`<a href="/portal/conversions/${l.commissionId}">${t("payout.commissionLine", { ref: l.orderRef, campaign: l.campaignName })}</a>`
                : t("payout.commissionLine", { ref: l.orderRef, campaign: l.campaignName })
              : t("payout.adjustmentLine", { reason: l.reason ?? "" }),
        },
        { value: l.occurredAt ? f.date(l.occurredAt) : "" },
        { value: f.money(l.amount, p.currency) },
      ],
    })),
  })}</section>`;
  return {
    title: t("payout.title", { amount: f.money(p.amount, p.currency) }),
    body,
    csrfToken: input.csrfToken,
    current: "payouts",
  };
}

function describeMethod(f: Translator, m: PortalPayoutMethod): Html {
  const { t } = f;
  const a = m.account;
  if (!a) return html`${t("settings.notChosen")}`;
  if (a.method === "paypal")
    return html`<strong>${t("settings.paypalCurrent", { email: a.paypalEmail ?? "" })}</strong>`;
  if (a.method === "stripe") return html`${a.stripeReady ? t("settings.stripeReady") : t("settings.stripePending")}`;
  return html`${label(f, "method", a.method)}`;
}

export function settingsPage(
  f: Translator,
  input: {
    methods: PortalPayoutMethod[];
    csrfToken: string;
    stripeEnabled: boolean;
    saved?: boolean;
    chosenLocale: Locale | null;
    error?: { creatorId: string; message: string; paypalEmail: string };
    /** Each store's optional mails and which the creator turned off. */
    notifications?: { storeId: string; creatorId: string; storeName: string; off: readonly OptionalKind[] }[];
  },
): Page {
  const { t } = f;
  const names: Record<Locale, string> = { en: "English", fr: "Français" };
  const body = html`${input.saved ? html`<p class="note" role="status">${t("settings.saved")}</p>` : ""}
<section class="card" aria-labelledby="payout-method"><h2 id="payout-method">${t("settings.payoutMethod")}</h2>
${input.methods.map((m, i) => {
  const error = input.error?.creatorId === m.creatorId ? input.error : undefined;
  return html`<section class="store" data-store="${m.storeId}" aria-labelledby="method-${i}"><h3 id="method-${i}">${m.storeName}</h3>
<p>${t("settings.current")} ${describeMethod(f, m)}</p>
${error ? html`<p class="error" role="alert">${error.message}</p>` : ""}
<form method="post" action="/portal/settings">
<input type="hidden" name="csrf" value="${input.csrfToken}"><input type="hidden" name="creatorId" value="${m.creatorId}">
<input type="hidden" name="method" value="paypal">
<label>${t("settings.paypalEmail")} <input type="email" name="paypalEmail" required maxlength="320"
value="${error?.paypalEmail ?? m.account?.paypalEmail ?? ""}"></label><button>${t("settings.usePaypal")}</button></form>
${
  input.stripeEnabled
    ? html`<form method="post" action="/portal/settings">
<input type="hidden" name="csrf" value="${input.csrfToken}"><input type="hidden" name="creatorId" value="${m.creatorId}">
<input type="hidden" name="method" value="stripe"><button>${m.account?.stripeAccountId ? t("settings.stripeContinue") : t("settings.stripeStart")}</button></form>`
    : ""
}</section>`;
})}</section>
<section class="card" aria-labelledby="language"><h2 id="language">${t("settings.language")}</h2>
<form method="post" action="/portal/settings/language"><input type="hidden" name="csrf" value="${input.csrfToken}">
<label>${t("settings.languageLabel")} <select name="locale"><option value="">${t("settings.languageAuto")}</option>${LOCALES.map(
    (l) => html`<option value="${l}"${input.chosenLocale === l ? Html.trusted(" selected") : ""}>${names[l]}</option>`,
  )}</select></label><button>${t("settings.languageSave")}</button></form></section>
<section class="card" aria-labelledby="notifications"><h2 id="notifications">${t("settings.notifications")}</h2>
<p>${t("settings.notificationsIntro")}</p>
${(input.notifications ?? []).map(
  (
    n,
    i,
  ) => html`<form method="post" action="/portal/settings/notifications" data-store="${n.storeId}" aria-labelledby="notify-${i}">
<h3 id="notify-${i}">${n.storeName}</h3><input type="hidden" name="csrf" value="${input.csrfToken}"><input type="hidden" name="creatorId" value="${n.creatorId}">
${OPTIONAL_KINDS.map(
  (k) =>
    html`<p><label><input type="checkbox" name="kind" value="${k}"${n.off.includes(k) ? "" : Html.trusted(" checked")}> ${t(`settings.kind.${k}`)}</label></p>`,
)}<button>${t("settings.notificationsSave")}</button></form>`,
)}</section>`;
  return { title: t("settings.title"), body, csrfToken: input.csrfToken, current: "settings" };
}

export function unsubscribePage(
  f: Translator,
  input: { token: string; storeName: string; kind: OptionalKind; done: boolean },
): Page {
  const { t } = f;
  const params = { store: input.storeName, kind: t(`settings.kind.${input.kind}`) };
  return {
    title: t("unsubscribe.title"),
    body: input.done
      ? html`<div class="card"><p class="note" role="status" id="unsubscribed">${t("unsubscribe.done", params)}</p></div>`
      : html`<div class="card"><p>${t("unsubscribe.confirm", params)}</p>
<form method="post" action="/portal/unsubscribe"><input type="hidden" name="token" value="${input.token}"><button>${t("unsubscribe.button")}</button></form></div>`,
  };
}
