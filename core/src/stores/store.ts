import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { isUniqueViolation, parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { CurrencySchema } from "../shared/money.ts";

export const PLATFORMS = ["shopify", "woocommerce", "custom"] as const;
export const PlatformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof PlatformSchema>;

const DomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((d) => d.replace(/^https?:\/\//, "").replace(/\/.*$/, ""))
  .pipe(
    z
      .string()
      .regex(
        /^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z0-9-]{2,}(:\d+)?$|^localhost(:\d+)?$|^127\.0\.0\.1(:\d+)?$/,
        "must be a host name such as shop.example.com",
      ),
  );

export const StoreInputSchema = z
  .object({
    platform: PlatformSchema,
    domain: DomainSchema,
    name: z.string().trim().min(1).max(200).optional(),
    currency: CurrencySchema.default("USD"),
    allowedDomains: z.array(DomainSchema).max(20).default([]),
  })
  .strict();
export type StoreInput = z.input<typeof StoreInputSchema>;

export interface Store {
  id: string;
  platform: Platform;
  domain: string;
  name: string;
  currency: string;
  status: "active" | "uninstalled";
  allowedDomains: string[];
  credentials: Record<string, unknown>;
  hashKey: string;
  minimumPayout: number;
  /** The public application page's address, /apply/<handle>. */
  handle: string | null;
  /** A creator's commission mails past this many in a UTC day go in one daily digest (core/src/mail). */
  mailDigestAfter: number;
  createdAt: Date;
}

type StoreRow = NonNullable<Awaited<ReturnType<Db["store"]["findUnique"]>>>;

export function toStore(row: StoreRow): Store {
  return {
    id: row.id,
    platform: row.platform as Platform,
    domain: row.domain,
    name: row.name,
    currency: row.currency,
    status: row.status as Store["status"],
    allowedDomains: parseJson<string[]>(row.allowedDomains, []),
    credentials: parseJson<Record<string, unknown>>(row.credentials, {}),
    hashKey: row.hashKey,
    minimumPayout: toSafeNumber(row.minimumPayout),
    handle: row.handle,
    mailDigestAfter: row.mailDigestAfter,
    createdAt: row.createdAt,
  };
}

/** Creates a store, or returns the existing one for the same platform and domain (installs repeat). */
export async function createStore(db: Db, input: StoreInput): Promise<{ store: Store; created: boolean }> {
  const data = StoreInputSchema.parse(input);
  const existing = await db.store.findUnique({
    where: { platform_domain: { platform: data.platform, domain: data.domain } },
  });
  if (existing) return { store: toStore(existing), created: false };
  try {
    const row = await db.store.create({
      data: {
        id: newId("st"),
        platform: data.platform,
        domain: data.domain,
        name: data.name ?? data.domain,
        currency: data.currency,
        allowedDomains: JSON.stringify(data.allowedDomains),
        hashKey: randomBytes(32).toString("base64url"),
        handle: await freeHandle(db, handleFrom(data.domain)),
      },
    });
    return { store: toStore(row), created: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const row = await db.store.findUniqueOrThrow({
      where: { platform_domain: { platform: data.platform, domain: data.domain } },
    });
    return { store: toStore(row), created: false };
  }
}

export async function getStore(db: Db, storeId: string): Promise<Store | null> {
  const row = await db.store.findUnique({ where: { id: storeId } });
  return row ? toStore(row) : null;
}

export async function requireStore(db: Db, storeId: string): Promise<Store> {
  const store = await getStore(db, storeId);
  if (!store) throw new AppError("not_found", `store ${storeId} not found`);
  return store;
}

export async function findStoreByDomain(db: Db, platform: Platform, domain: string): Promise<Store | null> {
  const row = await db.store.findUnique({ where: { platform_domain: { platform, domain: domain.toLowerCase() } } });
  return row ? toStore(row) : null;
}

export async function listStores(db: Db): Promise<Store[]> {
  return (await db.store.findMany({ orderBy: { createdAt: "asc" } })).map(toStore);
}

/** Merges platform credentials (WooCommerce keys, webhook secret) into the store's record. */
export async function updateStoreCredentials(db: Db, storeId: string, patch: Record<string, unknown>): Promise<Store> {
  const store = await requireStore(db, storeId);
  const row = await db.store.update({
    where: { id: storeId },
    data: { credentials: JSON.stringify({ ...store.credentials, ...patch }) },
  });
  return toStore(row);
}

/** The smallest balance paid, in minor units of the store's currency (others: the same major units). */
export async function setStoreMinimumPayout(db: Db, storeId: string, minimumPayout: number): Promise<Store> {
  if (!Number.isSafeInteger(minimumPayout) || minimumPayout < 0) {
    throw new AppError("invalid", "the minimum payout must be zero or more");
  }
  await requireStore(db, storeId);
  return toStore(await db.store.update({ where: { id: storeId }, data: { minimumPayout } }));
}

export const MAIL_DIGEST_AFTER_MAX = 1000;

/** How many commission mails a creator gets in a day before the rest wait for the day's digest. */
export async function setStoreMailDigestAfter(db: Db, storeId: string, mailDigestAfter: number): Promise<Store> {
  if (!Number.isSafeInteger(mailDigestAfter) || mailDigestAfter < 0 || mailDigestAfter > MAIL_DIGEST_AFTER_MAX) {
    throw new AppError("invalid", `the daily mail limit must be a whole number from 0 to ${MAIL_DIGEST_AFTER_MAX}`);
  }
  await requireStore(db, storeId);
  return toStore(await db.store.update({ where: { id: storeId }, data: { mailDigestAfter } }));
}

/** The shop's own name and currency (they win over the defaults of a store an early webhook created). */
export async function setStoreDetails(db: Db, storeId: string, details: { name: string; currency: string }) {
  return toStore(await db.store.update({ where: { id: storeId }, data: details }));
}

/**
 * Adds a storefront host /collect accepts events from (a shop's primary domain differs from its myshopify one);
 * the list keeps the newest 20.
 */
export async function allowStoreHost(db: Db, store: Pick<Store, "id" | "domain" | "allowedDomains">, host: string) {
  if (host === store.domain || store.allowedDomains.includes(host)) return;
  await db.store.update({
    where: { id: store.id },
    data: { allowedDomains: JSON.stringify([...store.allowedDomains, host].slice(-20)) },
  });
}

export async function setStoreStatus(db: Db, storeId: string, status: Store["status"], at = new Date()): Promise<void> {
  await db.store.updateMany({
    where: { id: storeId },
    data: { status, uninstalledAt: status === "uninstalled" ? at : null },
  });
}

/** Whether `host` is the store's own domain, a subdomain of it, or one of its allowed domains. */
export function isStoreHost(store: Pick<Store, "domain" | "allowedDomains">, host: string): boolean {
  const h = host.toLowerCase();
  return [store.domain, ...store.allowedDomains].some((d) => h === d || h.endsWith(`.${d}`));
}

export const STORE_HANDLE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const StoreHandleSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(STORE_HANDLE_PATTERN, "2-40 lower-case letters, digits or dashes, not starting or ending with a dash");

/** A handle from a domain: its first label (`my-shop` for my-shop.myshopify.com), made URL-safe. */
export function handleFrom(domain: string): string {
  const label = domain.split(/[.:]/)[0] ?? "";
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 32);
  return slug.length >= 2 ? slug : "store";
}

/** `wanted` if no store has it, else wanted with a short random suffix. */
async function freeHandle(db: Db, wanted: string): Promise<string> {
  const taken = await db.store.findUnique({ where: { handle: wanted }, select: { id: true } });
  return taken ? `${wanted}-${randomBytes(3).toString("hex")}` : wanted;
}

export async function findStoreByHandle(db: Db, handle: string): Promise<Store | null> {
  const parsed = StoreHandleSchema.safeParse(handle);
  if (!parsed.success) return null;
  const row = await db.store.findUnique({ where: { handle: parsed.data } });
  return row ? toStore(row) : null;
}

export async function setStoreHandle(db: Db, storeId: string, handle: string): Promise<Store> {
  const parsed = StoreHandleSchema.safeParse(handle);
  if (!parsed.success)
    throw new AppError("invalid", `handle: ${parsed.error.issues[0]?.message ?? "invalid"}`, [
      { path: "handle", message: parsed.error.issues[0]?.message ?? "invalid" },
    ]);
  await requireStore(db, storeId);
  try {
    return toStore(await db.store.update({ where: { id: storeId }, data: { handle: parsed.data } }));
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("conflict", `the handle "${parsed.data}" is taken by another store`, [
        { path: "handle", message: "taken" },
      ]);
    throw error;
  }
}
