// Shared by the portal's tests: a signed-in browser without a browser, and rows the program would have made.

import type { Db } from "../db/client.ts";
import { newId } from "../shared/ids.ts";
import type { Portal } from "./index.ts";
import type { createMemoryMailer } from "./mailer.ts";

export const CTX = { clientIp: "127.0.0.1" };
export const BASE = "http://portal.test";

export async function call(
  portal: Portal,
  path: string,
  init: RequestInit = {},
  options: { base?: string; ctx?: { clientIp: string | null } } = {},
): Promise<Response> {
  const request = new Request(`${options.base ?? BASE}${path}`, { redirect: "manual", ...init });
  const response = portal.route(request, options.ctx ?? CTX);
  if (!response) throw new Error(`the portal does not own ${path}`);
  return response;
}

export function setCookieValue(response: Response, name: string): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const eq = pair!.indexOf("=");
    if (pair!.slice(0, eq) === name) return pair!.slice(eq + 1);
  }
  return undefined;
}

export function form(fields: Record<string, string>, cookie: string): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams(fields).toString(),
  };
}

export function csrfOf(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error("no CSRF field on the page");
  return match[1]!;
}

/** Asks for a link for `email` through the form, from `clientIp` (CTX's by default); returns the answer. */
export async function requestLink(portal: Portal, email: string, clientIp?: string): Promise<Response> {
  const ctx = clientIp ? { clientIp } : CTX;
  const formPage = await call(portal, "/portal/sign-in", {}, { ctx });
  const csrf = setCookieValue(formPage, "tm_portal_csrf")!;
  return call(portal, "/portal/sign-in", form({ csrf, email }, `tm_portal_csrf=${csrf}`), { ctx });
}

/**
 * Opens an emailed link as a browser does: the page it shows (which spends nothing), then that page's button.
 * `answer` is null when the page had no button (an unusable link).
 */
export async function openLink(
  portal: Portal,
  link: string,
  base = BASE,
): Promise<{ page: Response; pageText: string; answer: Response | null }> {
  const url = new URL(link);
  const page = await call(portal, `${url.pathname}${url.search}`, {}, { base });
  const pageText = await page.text();
  const token = /name="token" value="([^"]+)"/.exec(pageText)?.[1];
  if (!token) return { page, pageText, answer: null };
  const csrf = csrfOf(pageText);
  const answer = await call(portal, "/portal/auth", form({ csrf, token }, `tm_portal_csrf=${csrf}`), { base });
  return { page, pageText, answer };
}

/** Signs `email` in through the emailed link; returns the session cookie and the page's CSRF token. */
export async function signIn(
  portal: Portal,
  mailer: ReturnType<typeof createMemoryMailer>,
  email: string,
): Promise<{ cookie: string; csrf: string }> {
  const before = mailer.sent.length;
  await requestLink(portal, email);
  const mail = mailer.sent[before];
  if (!mail) throw new Error(`no sign-in link was sent to ${email}`);
  const { answer } = await openLink(portal, mail.url);
  const token = answer ? setCookieValue(answer, "tm_portal") : undefined;
  if (!answer || !token) throw new Error(`signing in failed with ${answer?.status ?? "no sign-in button"}`);
  const cookie = `tm_portal=${token}`;
  const overview = await call(portal, "/portal", { headers: { cookie } });
  return { cookie, csrf: csrfOf(await overview.text()) };
}

export async function insertCommission(
  db: Db,
  row: { storeId: string; campaignId: string; creatorId: string },
  status: "pending" | "approved" | "paid" | "reversed" | "rejected",
  amount: number,
  currency = "USD",
): Promise<string> {
  const conversionId = newId("cv");
  const id = newId("cm");
  await db.conversion.create({
    data: {
      id: conversionId,
      storeId: row.storeId,
      kind: "purchase",
      sourceKey: `event:${conversionId}`,
      value: BigInt(amount * 10),
      currency,
      occurredAt: new Date(),
      status: status === "rejected" ? "rejected" : "attributed",
    },
  });
  await db.attribution.create({
    data: {
      id: newId("at"),
      storeId: row.storeId,
      conversionId,
      campaignId: row.campaignId,
      creatorId: row.creatorId,
      touchKind: "click",
      touchAt: new Date(),
      position: 0,
      weightPpm: 1_000_000,
      credit: BigInt(amount * 10),
      model: "last_click",
    },
  });
  await db.commission.create({
    data: {
      id,
      storeId: row.storeId,
      conversionId,
      campaignId: row.campaignId,
      creatorId: row.creatorId,
      goal: "purchase",
      status,
      amount: BigInt(status === "reversed" ? 0 : amount),
      original: BigInt(amount),
      currency,
      holdUntil: new Date(),
    },
  });
  return id;
}

export async function insertPayout(
  db: Db,
  row: { storeId: string; creatorId: string },
  amount: number,
  currency: string,
  reference: string,
): Promise<void> {
  await db.payout.create({
    data: {
      id: newId("po"),
      storeId: row.storeId,
      runId: newId("pr"),
      creatorId: row.creatorId,
      currency,
      amount: BigInt(amount),
      method: "paypal",
      status: "paid",
      providerReference: reference,
      paidAt: new Date(),
      createdAt: new Date(),
    },
  });
}
