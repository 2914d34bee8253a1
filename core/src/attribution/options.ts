import { z } from "zod";
import { type AttributionModel, AttributionModelSchema, isAttributionModel } from "./models.ts";

export const MIN_LOOKBACK_DAYS = 1;
export const MAX_LOOKBACK_DAYS = 90;
export const DEFAULT_LOOKBACK_DAYS = 30;
export const DEFAULT_HALF_LIFE_DAYS = 7;
export const MS_PER_DAY = 86_400_000;

export interface AttributionOptions {
  model: AttributionModel;
  /** Integer from 1 to 90; DEFAULT_LOOKBACK_DAYS (30) when parsed through AttributionOptionsSchema. */
  lookbackDays: number;
  /** Used by time_decay only; DEFAULT_HALF_LIFE_DAYS (7) when absent. */
  halfLifeDays?: number;
}

// For options that arrive as data (campaign settings, CLI flags); it applies the lookback default.
export const AttributionOptionsSchema = z.object({
  model: AttributionModelSchema,
  lookbackDays: z.number().int().min(MIN_LOOKBACK_DAYS).max(MAX_LOOKBACK_DAYS).default(DEFAULT_LOOKBACK_DAYS),
  halfLifeDays: z.number().positive().optional(),
});

export function assertLookbackDays(lookbackDays: number): void {
  if (!Number.isInteger(lookbackDays) || lookbackDays < MIN_LOOKBACK_DAYS || lookbackDays > MAX_LOOKBACK_DAYS) {
    throw new RangeError(
      `lookbackDays must be an integer from ${MIN_LOOKBACK_DAYS} to ${MAX_LOOKBACK_DAYS}, got ${String(lookbackDays)}`,
    );
  }
}

export function assertHalfLifeDays(halfLifeDays: number | undefined): void {
  if (halfLifeDays === undefined) return;
  if (!(typeof halfLifeDays === "number" && halfLifeDays > 0 && Number.isFinite(halfLifeDays))) {
    throw new RangeError(`halfLifeDays must be a finite number greater than 0, got ${String(halfLifeDays)}`);
  }
}

export function assertAttributionModel(model: string): asserts model is AttributionModel {
  if (!isAttributionModel(model)) throw new RangeError(`unknown attribution model "${String(model)}"`);
}

export function assertConversionAt(conversionAt: number): void {
  if (!Number.isFinite(conversionAt)) {
    throw new RangeError(`conversionAt must be a finite epoch-millisecond number, got ${String(conversionAt)}`);
  }
}

export function assertAttributionOptions(options: AttributionOptions): void {
  assertAttributionModel(options.model);
  assertLookbackDays(options.lookbackDays);
  assertHalfLifeDays(options.halfLifeDays);
}

export function resolveHalfLifeMs(halfLifeDays: number | undefined): number {
  return (halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS) * MS_PER_DAY;
}
