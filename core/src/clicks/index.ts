export { BOT_USER_AGENT_PATTERN, isBotUserAgent } from "./bot-detection.ts";
export {
  type ClickRecorder,
  type ClickRecorderOptions,
  type ClickVisit,
  createClickRecorder,
  type RecordedClick,
} from "./click-recorder.ts";
export {
  type ClickRow,
  type ClickWriter,
  openClickWriter,
  postgresClickWriter,
  prismaClickWriter,
  type Qualification,
  sqliteClickWriter,
} from "./click-writer.ts";
export { DEDUP_WINDOW_MS, DedupWindow } from "./dedup-window.ts";
export { createLinkCache, isTracking, type LinkCache, type LinkCacheOptions, type TrackedLink } from "./link-cache.ts";
export { countryFromHeaders, referrerHost } from "./request-signals.ts";
export { slugify } from "./slugify.ts";
export { type PreparedDestination, prepareDestination, type TrackingParams } from "./tracked-destination.ts";
export { utcDayNumber, VISITOR_HASH_HEX_LENGTH, visitorHash } from "./visitor-hash.ts";
