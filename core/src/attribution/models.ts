import { z } from "zod";

export const ATTRIBUTION_MODELS = ["last_click", "first_click", "linear", "time_decay", "position_based"] as const;

export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export const AttributionModelSchema = z.enum(ATTRIBUTION_MODELS);

export function isAttributionModel(value: unknown): value is AttributionModel {
  switch (value) {
    case "last_click":
    case "first_click":
    case "linear":
    case "time_decay":
    case "position_based":
      return true;
    default:
      return false;
  }
}
