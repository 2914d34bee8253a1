export {
  type ConnectStoreOptions,
  type ConnectStoreResult,
  connectStore,
  type DisconnectStoreOptions,
  type DisconnectStoreResult,
  disconnectStore,
  scriptTagFor,
} from "./connect.ts";
export { isOrderTopic, ORDER_TOPICS, type OrderTopic, wooDedupKey } from "./delivery-key.ts";
export { type BridgeEnv, DEFAULT_RECONCILE_INTERVAL_MS, parseBridgeEnv } from "./env.ts";
export { attributionMeta, clickIdsFromAttribution, mapWooStatus, normalizeWooOrder } from "./normalize-order.ts";
export type { OrderSink } from "./order-sink.ts";
export { createWooDeliveryHandler, type WooDeliveryHandlerOptions } from "./process-delivery.ts";
export {
  connectedWooStoreIds,
  type ReconcileResult,
  type ReconcileStoreOptions,
  type Reconciliation,
  type ReconciliationOptions,
  reconcileStore,
  startReconciliation,
} from "./reconcile.ts";
export {
  createWooBridgeHandler,
  type WooBridgeHandler,
  type WooBridgeHandlerOptions,
  wooWebhookRoute,
} from "./server.ts";
export { isValidWooSignature, isWooPing, wooSignature } from "./verify-signature.ts";
export {
  createWooWebhookHandler,
  MAX_WEBHOOK_BYTES,
  storeIdFromWebhookPath,
  type WooWebhookHandler,
  type WooWebhookHandlerOptions,
} from "./webhook-handler.ts";
export {
  classifyWooFailure,
  createWooClient,
  normalizeStoreUrl,
  WooApiError,
  type WooClient,
  type WooClientOptions,
  type WooFailure,
} from "./woo-client.ts";
export { couponBody, wooDiscountGateway, wooDiscountGatewayFor } from "./woo-coupons.ts";
export { type WooStoreCredentials, wooCredentialsOf } from "./woo-credentials.ts";
export { type WooOrder, WooOrderSchema } from "./woo-order-schema.ts";
export { deliveryUrlFor, WEBHOOKS_ROUTE, type WebhookChange } from "./woo-webhooks.ts";
