import type { ingestOrder, setOrderStatus } from "@trailmark/core/orders";

/** Where the bridge hands orders: core's order ingestion, unless a test substitutes it. */
export interface OrderSink {
  ingestOrder: typeof ingestOrder;
  setOrderStatus: typeof setOrderStatus;
}
