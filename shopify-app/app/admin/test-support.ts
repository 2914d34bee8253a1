// Calling the standalone admin's route modules in tests as Remix would: a Request in, the loader's or action's
// value (or thrown Response) out, with an owner's session cookie and CSRF token.

import { createOwner, signInWithPassword } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { provideDatabase } from "../db.server.ts";
import { SESSION_COOKIE } from "./standalone.server.ts";

export const ORIGIN = "http://admin.trailmark.test";
export const PASSWORD = "a long enough passphrase";

/** A fresh test database that the route modules use as the app's, with the standalone admin at ORIGIN. */
export async function openAdminDatabase(): Promise<TestDatabase> {
  process.env.SHOPIFY_APP_URL = ORIGIN;
  const database = await createTestDatabase();
  provideDatabase(database);
  return database;
}

export interface Owner {
  storeId: string;
  email: string;
  cookie: string;
  csrfToken: string;
}

export async function signInOwner(db: Db, storeId: string, email = `owner-${storeId}@example.com`): Promise<Owner> {
  const account = await createOwner(db, storeId, email, PASSWORD);
  const grant = await signInWithPassword(db, email, PASSWORD);
  return { storeId, email: account.email, cookie: `${SESSION_COOKIE}=${grant.token}`, csrfToken: grant.csrfToken };
}

/** What a loader or action produced: a Response (redirect, CSV), a data() value with its status, or plain data. */
export interface Outcome<T = unknown> {
  status: number;
  data: T;
  headers: Headers;
  response: Response | null;
}

function isDataWithInit(
  value: unknown,
): value is { type: "DataWithResponseInit"; data: unknown; init: ResponseInit | null } {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "DataWithResponseInit";
}

export function outcomeOf<T>(value: unknown): Outcome<T> {
  if (value instanceof Response)
    return { status: value.status, data: undefined as T, headers: value.headers, response: value };
  if (isDataWithInit(value)) {
    return {
      status: value.init?.status ?? 200,
      data: value.data as T,
      headers: new Headers(value.init?.headers),
      response: null,
    };
  }
  return { status: 200, data: value as T, headers: new Headers(), response: null };
}

type RouteFn = (args: {
  request: Request;
  params: Record<string, string>;
  context: Record<string, unknown>;
}) => unknown;

async function settle<T>(run: () => unknown): Promise<Outcome<T>> {
  try {
    return outcomeOf<T>(await run());
  } catch (thrown) {
    if (thrown instanceof Response || isDataWithInit(thrown)) return outcomeOf<T>(thrown);
    throw thrown;
  }
}

export function get<T = Record<string, unknown>>(
  loader: RouteFn,
  path: string,
  options: { owner?: Owner | null; params?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Outcome<T>> {
  const headers = new Headers(options.headers);
  if (options.owner) headers.set("cookie", options.owner.cookie);
  const request = new Request(`${ORIGIN}${path}`, { headers });
  return settle<T>(() => loader({ request, params: options.params ?? {}, context: {} }));
}

export function post<T = Record<string, unknown>>(
  action: RouteFn,
  path: string,
  fields: Record<string, string | string[]>,
  options: {
    owner?: Owner | null;
    params?: Record<string, string>;
    csrf?: string | null;
    headers?: Record<string, string>;
    /** Remix's load context, as the app's handler passes it (`clientIp`). */
    context?: Record<string, unknown>;
    /** Where the request claims to be sent (its Host), ORIGIN by default. */
    origin?: string;
  } = {},
): Promise<Outcome<T>> {
  const body = new URLSearchParams();
  const csrf = options.csrf === undefined ? options.owner?.csrfToken : options.csrf;
  if (csrf) body.append("_csrf", csrf);
  for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
  const origin = options.origin ?? ORIGIN;
  const headers = new Headers({
    "content-type": "application/x-www-form-urlencoded",
    origin,
    ...options.headers,
  });
  if (options.owner) headers.set("cookie", options.owner.cookie);
  const request = new Request(`${origin}${path}`, { method: "POST", headers, body });
  return settle<T>(() => action({ request, params: options.params ?? {}, context: options.context ?? {} }));
}
