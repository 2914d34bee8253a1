export {
  type CustomerDataExport,
  type CustomerSelector,
  CustomerSelectorSchema,
  exportCustomerData,
  type RedactionResult,
  redactCustomer,
} from "./customer-data.ts";
export {
  type DataRequest,
  type RecordedDataRequest,
  recordDataRequest,
  redactInboxDeliveries,
} from "./data-requests.ts";
export { deleteStoreData, type StoreDeletionOptions, type StoreDeletionResult } from "./store-data.ts";
