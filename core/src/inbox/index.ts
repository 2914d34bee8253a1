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
export { createInboxRecorder, type InboxRecorder, type RecordedDelivery } from "./inbox-recorder.ts";
export { type InboxWriter, openInboxWriter, prismaInboxWriter } from "./inbox-writer.ts";
