import type { RefundLine } from "@trailmark/core/orders";
import { toMinorUnits } from "@trailmark/core/shared";
import { z } from "zod";
import { WooApiError, type WooClient } from "./woo-client.ts";
import { WooDecimalSchema, WooIdSchema, type WooOrder } from "./woo-order-schema.ts";

// What each refund of a WooCommerce order takes off the items base (core/src/orders/commission-base.ts).
// An order (and its webhook) lists refunds only as {id, reason, total}; the refunded items are in
// GET /wc/v3/orders/{id}/refunds, whose line items carry negative amounts without tax (`total`, after
// discounts, in both tax modes: `prices_include_tax` only says how prices were entered). Fetching is I/O, so
// it happens where deliveries and reconciliation polls are processed, and the result is handed to the pure
// normalizeWooOrder. A refund never changes once made, so what was fetched is kept per store, order and
// refund id.

const WooRefundLineSchema = z.object({
  total: WooDecimalSchema.nullish(),
  quantity: z.number().nullish(),
  /** The order line it took back is in the line's `_refunded_item_id` meta. */
  meta_data: z.array(z.object({ key: z.string(), value: z.unknown() })).nullish(),
});

/** A refund as GET /wc/v3/orders/{id}/refunds returns it, the parts the bridge reads. */
export const WooRefundSchema = z.object({
  id: WooIdSchema,
  amount: WooDecimalSchema.nullish(),
  line_items: z.array(WooRefundLineSchema).nullish(),
  shipping_lines: z.array(WooRefundLineSchema).nullish(),
  fee_lines: z.array(WooRefundLineSchema).nullish(),
});
export type WooRefund = z.infer<typeof WooRefundSchema>;

/**
 * What a refund took back of the order's items: `amount`, what it takes off the items base in minor units
 * (its line items' totals without tax; 0 for a refund of shipping or fees only; null for a refund of an
 * amount with no lines at all, which takes the same share of the items base as of the order,
 * normalize-order.ts), and the order lines it names, when each names one.
 */
export interface WooRefundDetail {
  amount: number | null;
  lines: RefundLine[];
}

/** Refund id -> what it took back. */
export type WooRefundItems = ReadonlyMap<string, WooRefundDetail>;

export function refundItemsAmount(refund: WooRefund, currency: string): number | null {
  return refundDetail(refund, currency).amount;
}

export function refundDetail(refund: WooRefund, currency: string): WooRefundDetail {
  const money = (value: string | number | null | undefined) => Math.abs(toMinorUnits(value ?? "0", currency));
  const lines = refund.line_items ?? [];
  if (lines.length > 0) {
    const named = lines.map((l) => {
      const meta = (l.meta_data ?? []).find((m) => m.key === "_refunded_item_id")?.value;
      const lineId = typeof meta === "number" || (typeof meta === "string" && /^\d+$/.test(meta)) ? String(meta) : null;
      return { lineId, quantity: Math.abs(Math.trunc(l.quantity ?? 0)), amount: money(l.total) };
    });
    return {
      amount: named.reduce((sum, l) => sum + l.amount, 0),
      lines: named.every((l) => l.lineId !== null) ? named.map((l) => ({ ...l, lineId: l.lineId! })) : [],
    };
  }
  if ((refund.shipping_lines ?? []).length > 0 || (refund.fee_lines ?? []).length > 0) return { amount: 0, lines: [] };
  return { amount: null, lines: [] };
}

/** Fetched refunds, bounded: the oldest entries go first once it is full. */
export interface RefundItemsCache {
  get(key: string): WooRefundDetail | undefined;
  set(key: string, value: WooRefundDetail): void;
}

export function createRefundItemsCache(max = 50_000): RefundItemsCache {
  const entries = new Map<string, WooRefundDetail>();
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
  };
}

/** The process's cache, shared by deliveries, deletions and reconciliation. */
export const sharedRefundItemsCache = createRefundItemsCache();

/**
 * The items each of the order's refunds took back, from the cache or the store's REST API. Refunds that
 * cannot be read (the store is unreachable, a refund is malformed) are left out, so normalization takes
 * their proportional share; the order's next snapshot asks again.
 */
export async function fetchWooRefundItems(options: {
  client: WooClient;
  storeId: string;
  order: Pick<WooOrder, "id" | "currency" | "refunds">;
  cache?: RefundItemsCache;
  log?: (message: string) => void;
}): Promise<WooRefundItems> {
  const { client, storeId, order } = options;
  const cache = options.cache ?? sharedRefundItemsCache;
  const currency = order.currency.toUpperCase();
  const key = (refundId: string) => `${storeId}:${order.id}:${refundId}`;
  const found = new Map<string, WooRefundDetail>();
  const missing = (order.refunds ?? []).map((r) => r.id).filter((id) => cache.get(key(id)) === undefined);
  if (missing.length > 0) {
    let rows: unknown[] = [];
    try {
      rows = await client.getAll(`/wc/v3/orders/${encodeURIComponent(order.id)}/refunds`);
    } catch (error) {
      if (!(error instanceof WooApiError)) throw error;
      options.log?.(`woocommerce order ${order.id}: refunds not read (${error.message}); their share is taken`);
    }
    for (const row of rows) {
      const parsed = WooRefundSchema.safeParse(row);
      if (parsed.success) cache.set(key(parsed.data.id), refundDetail(parsed.data, currency));
    }
  }
  for (const r of order.refunds ?? []) {
    const amount = cache.get(key(r.id));
    if (amount !== undefined) found.set(r.id, amount);
  }
  return found;
}
