export { BOT_USER_AGENT_PATTERN, isBotUserAgent } from "./bot-detection.ts";
export { orderedClickId } from "./click-id-source.ts";
export {
  type ClickRecorder,
  type ClickRecorderOptions,
  type ClickVisit,
  createClickRecorder,
  type RecordedClick,
} from "./click-recorder.ts";
export {
  CLICK_COLUMNS,
  type ClickRow,
  type ClickWriter,
  prismaClickWriter,
  type Qualification,
} from "./click-writer.ts";
export { DEDUP_WINDOW_MS, DedupWindow } from "./dedup-window.ts";
export { createLinkCache, isTracking, type LinkCache, type LinkCacheOptions, type TrackedLink } from "./link-cache.ts";
export { openClickWriter } from "./open-click-writer.ts";
export { postgresClickWriter } from "./postgres-click-writer.ts";
export { countryFrom, referrerHost } from "./request-signals.ts";
export { slugify } from "./slugify.ts";
export { sqliteClickWriter } from "./sqlite-click-writer.ts";
export { insertTestLink } from "./test-links.ts";
export { type PreparedDestination, prepareDestination, type TrackingParams } from "./tracked-destination.ts";
export { utcDayNumber, VISITOR_HASH_HEX_LENGTH, visitorHash } from "./visitor-hash.ts";
