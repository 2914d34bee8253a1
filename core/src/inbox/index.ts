export { cachedLookup } from "./cached-lookup.ts";
export type {
  Delivery,
  DeliveryHandler,
  DeliveryInput,
  DeliveryOutcome,
  InboxHealth,
  InboxSource,
  InboxWorker,
} from "./inbox.ts";
export {
  createInboxWorker,
  enqueueDelivery,
  INBOX_SOURCES,
  inboxHealth,
  MAX_ATTEMPTS,
  PermanentDeliveryError,
  retryDelayMs,
} from "./inbox.ts";
export { createInboxRecorder, type InboxRecorder, openInboxRecorder, type RecordedDelivery } from "./inbox-recorder.ts";
export { runInboxThread, startInboxThread } from "./inbox-thread.ts";
export { type InboxWriter, openInboxWriter, prismaInboxWriter } from "./inbox-writer.ts";
export { type DeliveryWork, ingestOrderBatch, processDeliveryBatch } from "./order-batch.ts";
export { errorBody, plainAnswer, receiptRoute, receiveFetch, type WebhookReceipt } from "./receipt.ts";
export {
  adoptShopDeliveries,
  deleteShopDeliveries,
  redactInboxDeliveries,
  retryFailedDeliveries,
  type ShopScope,
  shopDeliveriesWhere,
} from "./stored-deliveries.ts";
