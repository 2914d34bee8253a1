export { allocateMinorUnits } from "./allocate-minor-units.ts";
export { attribute, type Credit, PPM_TOTAL } from "./attribute.ts";
export { eligibleTouches } from "./lookback.ts";
export { ATTRIBUTION_MODELS, type AttributionModel, AttributionModelSchema } from "./models.ts";
export {
  type AttributionOptions,
  AttributionOptionsSchema,
  DEFAULT_HALF_LIFE_DAYS,
  DEFAULT_LOOKBACK_DAYS,
  MAX_LOOKBACK_DAYS,
  MIN_LOOKBACK_DAYS,
} from "./options.ts";
export { compareTouches, type Touch } from "./touch.ts";
export { attributionWeights } from "./weights.ts";
