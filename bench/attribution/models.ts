// Throughput of the pure attribution engine: journeys attributed per second for each model, on one core.
import { performance } from "node:perf_hooks";
import { ATTRIBUTION_MODELS, type AttributionModel, attribute, type Touch } from "@trailmark/core/attribution";

const MS_PER_DAY = 86_400_000;
const CONVERSION_AT = Date.UTC(2025, 5, 30, 12);
const LOOKBACK_DAYS = 30;
const HALF_LIFE_DAYS = 7;
// Fixed seed: every run measures the same journeys.
const SEED = 0x7ea11;
const TIMED_RUNS = 3;
const WARMUP_JOURNEYS = 50_000;
const CREATOR_IDS = Array.from({ length: 200 }, (_, i) => `creator_${i}`);
const CAMPAIGN_IDS = Array.from({ length: 20 }, (_, i) => `campaign_${i}`);
const TOUCH_IDS = Array.from({ length: 1000 }, (_, i) => `touch_${i}`);

export interface Journey {
  touches: Touch[];
  conversionAt: number;
  value: number;
}

export interface Dataset {
  name: string;
  journeys: Journey[];
}

export interface ModelBenchResult {
  dataset: string;
  model: AttributionModel;
  journeys: number;
  touches: number;
  /** Wall-clock time, median of the timed runs. */
  ms: number;
  /** Process CPU time (user + system) of the same run; unlike wall time it is not inflated by other busy processes. */
  cpuMs: number;
  journeysPerSecond: number;
}

export interface BenchModelsOptions {
  runs?: number;
  print?: boolean;
}

// mulberry32: tiny, fast and reproducible, which is all a benchmark generator needs.
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function createTouch(random: () => number, at: number): Touch {
  return {
    id: pick(TOUCH_IDS, random),
    creatorId: pick(CREATOR_IDS, random),
    campaignId: pick(CAMPAIGN_IDS, random),
    at,
    kind: random() < 0.8 ? "click" : "discount_code",
  };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const item = items[i]!;
    items[i] = items[j]!;
    items[j] = item;
  }
}

/** Five touches inside the lookback window, in time order (as a query ordered by time returns them) or shuffled. */
export function generateFiveTouchJourneys(count: number, order: "time" | "shuffled", seed = SEED): Journey[] {
  const random = createRandom(seed);
  const journeys: Journey[] = new Array(count);
  for (let j = 0; j < count; j++) {
    const touches: Touch[] = [];
    for (let k = 0; k < 5; k++)
      touches.push(createTouch(random, CONVERSION_AT - Math.floor(random() * LOOKBACK_DAYS * MS_PER_DAY)));
    touches.sort((a, b) => a.at - b.at);
    if (order === "shuffled") shuffle(touches, random);
    journeys[j] = { touches, conversionAt: CONVERSION_AT, value: 100 + Math.floor(random() * 200_000) };
  }
  return journeys;
}

/**
 * 1-10 touches in random order, spread over 45 days before the conversion so about a third fall outside the
 * 30-day window, and 5% after the conversion.
 */
export function generateMixedJourneys(count: number, seed = SEED): Journey[] {
  const random = createRandom(seed);
  const journeys: Journey[] = new Array(count);
  for (let j = 0; j < count; j++) {
    const length = 1 + Math.floor(random() * 10);
    const touches: Touch[] = [];
    for (let k = 0; k < length; k++) {
      const offset = random() < 0.05 ? -Math.floor(random() * MS_PER_DAY) : Math.floor(random() * 45 * MS_PER_DAY);
      touches.push(createTouch(random, CONVERSION_AT - offset));
    }
    journeys[j] = { touches, conversionAt: CONVERSION_AT, value: 100 + Math.floor(random() * 200_000) };
  }
  return journeys;
}

// Returns the sum of credited amounts so the work cannot be optimized away and exactness is checked for free.
function attributeAll(journeys: readonly Journey[], model: AttributionModel, limit: number): number {
  const options = { model, lookbackDays: LOOKBACK_DAYS, halfLifeDays: HALF_LIFE_DAYS };
  let credited = 0;
  for (let j = 0; j < limit; j++) {
    const journey = journeys[j]!;
    const credits = attribute(journey.touches, journey.conversionAt, journey.value, options);
    for (let c = 0; c < credits.length; c++) credited += credits[c]!.amount;
  }
  return credited;
}

function sumCreditableValue(journeys: readonly Journey[]): number {
  const windowStart = CONVERSION_AT - LOOKBACK_DAYS * MS_PER_DAY;
  let total = 0;
  for (const journey of journeys) {
    if (journey.touches.some((t) => t.at >= windowStart && t.at <= journey.conversionAt)) total += journey.value;
  }
  return total;
}

function pickMedianByWallTime<T extends { ms: number }>(runs: readonly T[]): T {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchDataset(dataset: Dataset, runs = TIMED_RUNS): ModelBenchResult[] {
  const { journeys } = dataset;
  const expected = sumCreditableValue(journeys);
  let touches = 0;
  for (const journey of journeys) touches += journey.touches.length;
  const results: ModelBenchResult[] = [];
  for (const model of ATTRIBUTION_MODELS) {
    attributeAll(journeys, model, Math.min(journeys.length, WARMUP_JOURNEYS));
    const timings: Array<{ ms: number; cpuMs: number }> = [];
    for (let run = 0; run < runs; run++) {
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      const credited = attributeAll(journeys, model, journeys.length);
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpuStarted);
      timings.push({ ms, cpuMs: (cpu.user + cpu.system) / 1000 });
      if (credited !== expected) {
        throw new Error(`${model} on ${dataset.name}: credited ${credited} minor units, expected ${expected}`);
      }
    }
    const { ms, cpuMs } = pickMedianByWallTime(timings);
    results.push({
      dataset: dataset.name,
      model,
      journeys: journeys.length,
      touches,
      ms,
      cpuMs,
      journeysPerSecond: journeys.length / (ms / 1000),
    });
  }
  return results;
}

export function formatResults(results: readonly ModelBenchResult[]): string {
  const lines = [
    "| dataset | model | journeys | wall ms (median) | CPU ms | journeys/s | ns/journey |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of results) {
    const nsPerJourney = (r.ms * 1e6) / r.journeys;
    lines.push(
      `| ${r.dataset} | ${r.model} | ${r.journeys.toLocaleString("en-US")} | ${r.ms.toFixed(0)} | ${r.cpuMs.toFixed(0)} | ` +
        `${Math.round(r.journeysPerSecond).toLocaleString("en-US")} | ${nsPerJourney.toFixed(0)} |`,
    );
  }
  return lines.join("\n");
}

export async function benchModels(
  journeys = 1_000_000,
  { runs = TIMED_RUNS, print = true }: BenchModelsOptions = {},
): Promise<ModelBenchResult[]> {
  const results: ModelBenchResult[] = [];
  // One dataset in memory at a time: a million journeys of up to ten touches is several hundred MB of objects.
  const datasets: Array<[string, () => Journey[]]> = [
    ["5 touches, time order", () => generateFiveTouchJourneys(journeys, "time")],
    ["5 touches, shuffled", () => generateFiveTouchJourneys(journeys, "shuffled")],
    ["1-10 touches, mixed", () => generateMixedJourneys(journeys)],
  ];
  for (const [name, generate] of datasets) {
    results.push(...benchDataset({ name, journeys: generate() }, runs));
    // Let the previous dataset be collected before the next one is built and timed.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (print) console.log(formatResults(results));
  return results;
}
