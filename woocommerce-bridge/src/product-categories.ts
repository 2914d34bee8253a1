import { z } from "zod";
import { WooApiError, type WooClient } from "./woo-client.ts";
import { WooIdSchema } from "./woo-order-schema.ts";

// The categories of the products an order's lines name, for per-category commission rates. An order's line
// items carry no categories; GET /wc/v3/products/{id} does. Fetching is I/O, so it happens where deliveries
// and polls are processed, and the result is handed to the pure normalizeWooOrder. A product's categories
// change rarely: what was fetched is kept per store and product for an hour, in a bounded cache.

const WooProductSchema = z.object({
  id: WooIdSchema,
  categories: z.array(z.object({ id: WooIdSchema })).nullish(),
});

/** Product id -> its category ids. A product missing from the map could not be read. */
export type WooProductCategories = ReadonlyMap<string, string[]>;

export interface ProductCategoriesCache {
  get(key: string, now: number): string[] | undefined;
  set(key: string, value: string[], now: number): void;
}

export const CATEGORY_TTL_MS = 60 * 60 * 1000;

export function createProductCategoriesCache(max = 20_000, ttlMs = CATEGORY_TTL_MS): ProductCategoriesCache {
  const entries = new Map<string, { value: string[]; at: number }>();
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now - entry.at >= ttlMs) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, now) {
      entries.delete(key);
      entries.set(key, { value, at: now });
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
  };
}

export const sharedProductCategoriesCache = createProductCategoriesCache();

/** At most this many products are asked about per order; the rest keep no categories. */
const MAX_PRODUCTS_PER_ORDER = 50;

/**
 * The categories of the products `productIds` names, from the cache or the store's REST API. A product that
 * cannot be read (deleted, the store unreachable) is left out: its lines then match no category rule, and
 * the order's next snapshot asks again.
 */
export async function fetchWooProductCategories(options: {
  client: WooClient;
  storeId: string;
  productIds: readonly string[];
  cache?: ProductCategoriesCache;
  now?: number;
  log?: (message: string) => void;
}): Promise<WooProductCategories> {
  const { client, storeId } = options;
  const cache = options.cache ?? sharedProductCategoriesCache;
  const now = options.now ?? Date.now();
  const found = new Map<string, string[]>();
  const ids = [...new Set(options.productIds.filter((id) => id !== "" && id !== "0"))].slice(0, MAX_PRODUCTS_PER_ORDER);
  for (const id of ids) {
    const key = `${storeId}:${id}`;
    let categories = cache.get(key, now);
    if (categories === undefined) {
      try {
        const parsed = WooProductSchema.safeParse((await client.get(`/wc/v3/products/${encodeURIComponent(id)}`)).body);
        if (!parsed.success) continue;
        categories = (parsed.data.categories ?? []).map((c) => c.id);
        cache.set(key, categories, now);
      } catch (error) {
        if (!(error instanceof WooApiError)) throw error;
        options.log?.(`woocommerce product ${id}: categories not read (${error.message})`);
        continue;
      }
    }
    found.set(id, categories);
  }
  return found;
}

/** The product ids an order's lines name. */
export function productIdsOf(order: { line_items?: { product_id?: string | null }[] | null }): string[] {
  return (order.line_items ?? []).map((l) => l.product_id ?? "").filter((id) => id !== "" && id !== "0");
}
