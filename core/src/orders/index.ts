export * from "./add-refund.ts";
export * from "./commission-base.ts";
export * from "./ingest-order.ts";
export * from "./normalized-order.ts";
