export type { Delivery, DeliveryHandler, DeliveryInput, InboxHealth, InboxSource, InboxWorker } from "./inbox.ts";
export { createInboxWorker, enqueueDelivery, INBOX_SOURCES, inboxHealth, MAX_ATTEMPTS, retryDelayMs } from "./inbox.ts";
