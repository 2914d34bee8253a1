import { assertConversionAt, assertLookbackDays, MS_PER_DAY } from "./options.ts";
import { compareTouches, type Touch } from "./touch.ts";

// Above this many eligible touches Array#sort beats inserting each touch into place.
const INSERTION_MAX_LENGTH = 16;

/**
 * Touches inside [conversionAt - lookbackDays, conversionAt] in (at, kind, id) order. Returns `touches` itself when
 * it is already exactly that, which is the common case for journeys read in time order; callers must not mutate it.
 */
export function selectEligibleTouches(
  touches: readonly Touch[],
  conversionAt: number,
  lookbackDays: number,
): readonly Touch[] {
  const windowStart = conversionAt - lookbackDays * MS_PER_DAY;
  const count = touches.length;
  let eligibleCount = 0;
  let inOrder = true;
  let previous: Touch | undefined;
  for (let i = 0; i < count; i++) {
    const touch = touches[i]!;
    // Negated so that a NaN timestamp counts as outside the window.
    if (!(touch.at >= windowStart && touch.at <= conversionAt)) continue;
    if (inOrder && previous !== undefined && compareTouches(previous, touch) > 0) inOrder = false;
    previous = touch;
    eligibleCount++;
  }
  if (inOrder && eligibleCount === count) return touches;
  // Sized up front so the copy never regrows; short journeys are sorted by inserting each touch into place.
  const eligible = new Array<Touch>(eligibleCount);
  const insert = !inOrder && eligibleCount <= INSERTION_MAX_LENGTH;
  let filled = 0;
  for (let i = 0; i < count; i++) {
    const touch = touches[i]!;
    if (!(touch.at >= windowStart && touch.at <= conversionAt)) continue;
    let j = filled - 1;
    if (insert) {
      while (j >= 0 && compareTouches(eligible[j]!, touch) > 0) {
        eligible[j + 1] = eligible[j]!;
        j--;
      }
    }
    eligible[j + 1] = touch;
    filled++;
  }
  if (!inOrder && !insert) eligible.sort(compareTouches);
  return eligible;
}

/** How many touches fall inside [conversionAt - lookbackDays, conversionAt]. */
export function countEligibleTouches(touches: readonly Touch[], conversionAt: number, lookbackDays: number): number {
  const windowStart = conversionAt - lookbackDays * MS_PER_DAY;
  let count = 0;
  for (let i = 0; i < touches.length; i++) {
    const at = touches[i]!.at;
    if (at >= windowStart && at <= conversionAt) count++;
  }
  return count;
}

/**
 * The first (or last) touch eligibleTouches would return, found in one pass without copying or sorting: single-touch
 * models need nothing else.
 */
export function findEdgeEligibleTouch(
  touches: readonly Touch[],
  conversionAt: number,
  lookbackDays: number,
  edge: "first" | "last",
): Touch | undefined {
  const windowStart = conversionAt - lookbackDays * MS_PER_DAY;
  const last = edge === "last";
  let best: Touch | undefined;
  for (let i = 0; i < touches.length; i++) {
    const touch = touches[i]!;
    if (!(touch.at >= windowStart && touch.at <= conversionAt)) continue;
    if (best === undefined) {
      best = touch;
      continue;
    }
    // Among identical touches the stable sort in selectEligibleTouches puts the last occurrence last and the
    // first occurrence first; matching that returns the very same object.
    const order = compareTouches(touch, best);
    if (last ? order >= 0 : order < 0) best = touch;
  }
  return best;
}

/**
 * The touches that may share credit for a conversion: those from `lookbackDays` days before it (inclusive) up to
 * the conversion itself (inclusive), sorted ascending by (at, kind, id) so ties never depend on input order.
 */
export function eligibleTouches(touches: readonly Touch[], conversionAt: number, lookbackDays: number): Touch[] {
  assertConversionAt(conversionAt);
  assertLookbackDays(lookbackDays);
  const eligible = selectEligibleTouches(touches, conversionAt, lookbackDays);
  return eligible === touches ? touches.slice() : (eligible as Touch[]);
}
