import type { AttributionModel } from "./models.ts";
import { assertAttributionModel, assertConversionAt, assertHalfLifeDays, resolveHalfLifeMs } from "./options.ts";
import type { Touch } from "./touch.ts";

// Position-based shares as integers (first and last 2 parts each per middle part, middle 1 part each): the weight
// sum is then exact, so 40/20/40 never drifts in floating point. With n - 2 middle touches the sum is 5(n - 2).
const POSITION_BASED_END_PARTS_PER_MIDDLE_TOUCH = 2;

/**
 * Writes unnormalized weights for the first `count` touches into `out` and returns their sum (always > 0 for
 * count > 0). Callers divide by the sum; skipping normalization here saves a pass in the hot path.
 */
export function writeModelWeights(
  model: AttributionModel,
  touches: readonly Touch[],
  count: number,
  halfLifeMs: number,
  out: Float64Array,
): number {
  if (count === 0) return 0;
  switch (model) {
    case "last_click":
      out.fill(0, 0, count);
      out[count - 1] = 1;
      return 1;
    case "first_click":
      out.fill(0, 0, count);
      out[0] = 1;
      return 1;
    case "linear":
      out.fill(1, 0, count);
      return count;
    case "position_based": {
      if (count <= 2) {
        out.fill(1, 0, count);
        return count;
      }
      const middleCount = count - 2;
      const endWeight = POSITION_BASED_END_PARTS_PER_MIDDLE_TOUCH * middleCount;
      out.fill(1, 1, count - 1);
      out[0] = endWeight;
      out[count - 1] = endWeight;
      return 2 * endWeight + middleCount;
    }
    case "time_decay": {
      // 2^(-age/halfLife) normalized only depends on age differences, so anchor at the latest touch: it gets
      // weight 1, the sum is at least 1, and a short half-life can underflow old touches to 0 but never all of them.
      const latestAt = touches[count - 1]!.at;
      const decayPerMs = Math.LN2 / halfLifeMs;
      let sum = 0;
      for (let i = 0; i < count; i++) {
        const weight = Math.exp((touches[i]!.at - latestAt) * decayPerMs);
        out[i] = weight;
        sum += weight;
      }
      return sum;
    }
    default:
      assertAttributionModel(model);
      return 0;
  }
}

let scratch = new Float64Array(16);

/**
 * Real-valued weights (summing to 1) that `model` gives to `touches`, which must already be eligible and sorted as
 * eligibleTouches returns them. `conversionAt` is validated but time decay only needs the touches' age differences.
 */
export function attributionWeights(
  model: AttributionModel,
  touches: readonly Touch[],
  conversionAt: number,
  halfLifeDays?: number,
): number[] {
  assertAttributionModel(model);
  assertConversionAt(conversionAt);
  assertHalfLifeDays(halfLifeDays);
  const count = touches.length;
  if (scratch.length < count) scratch = new Float64Array(count);
  const sum = writeModelWeights(model, touches, count, resolveHalfLifeMs(halfLifeDays), scratch);
  const weights = new Array<number>(count);
  for (let i = 0; i < count; i++) weights[i] = scratch[i]! / sum;
  return weights;
}
