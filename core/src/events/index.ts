export * from "./collect-schema.ts";
export * from "./event-record.ts";
export * from "./event-writer.ts";
export * from "./open-event-sink.ts";
export * from "./record-events.ts";
