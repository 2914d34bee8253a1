export { addOrderRefund } from "./ingest-order.ts";
