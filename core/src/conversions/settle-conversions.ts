import type { Db } from "../db/client.ts";
import {
  attributeConversions,
  type ConversionSource,
  ensureConversions,
  reconcileConversions,
} from "./conversion-store.ts";
import type { BaseSnapshot } from "./order-snapshot.ts";
import type { ConversionFacts } from "./plan-attribution.ts";
import { resolveTouchesBatch, type TouchQuery } from "./touches.ts";

/** A conversion as its source (an order, an event) describes it. */
export interface ConversionToSettle {
  source: ConversionSource;
  /** Where its touches are looked up. */
  touches: TouchQuery;
  facts: ConversionFacts;
  /** What its commissions are reconciled against: the order as it is now, or a confirmed event. */
  snapshot: BaseSnapshot;
}

/**
 * The one pipeline every conversion takes, whether it came from an order or an event: one conversion per
 * source, its touches, attribution once (again when new touches appear), then its commissions brought in
 * line with the snapshot. Every step is idempotent, so replays and concurrent deliveries converge. Returns
 * the conversions in input order.
 */
export async function settleConversions(db: Db, storeId: string, inputs: readonly ConversionToSettle[], now: Date) {
  const conversions = await ensureConversions(
    db,
    storeId,
    inputs.map((i) => i.source),
  );
  const touches = await resolveTouchesBatch(
    db,
    storeId,
    inputs.map((i) => i.touches),
  );
  await attributeConversions(
    db,
    storeId,
    inputs.map((input, i) => ({ conversionId: conversions[i]!.id, touches: touches[i]!, facts: input.facts })),
    now,
  );
  await reconcileConversions(
    db,
    storeId,
    inputs.map((input, i) => ({ conversionId: conversions[i]!.id, snapshot: input.snapshot })),
    now,
  );
  return conversions;
}
