import type { RuleInput } from "./rule-verdict.ts";

export const DAY_MS = 24 * 60 * 60 * 1000;
export const CONVERSION_AT = new Date("2025-03-15T12:00:00.000Z");

type Overrides = { [K in keyof RuleInput]?: Partial<RuleInput[K]> };

/** A conversion that passes every rule; tests change only what they are about. */
export function ruleInput(overrides: Overrides = {}): RuleInput {
  return {
    conversion: {
      kind: "purchase",
      value: 5000,
      currency: "USD",
      occurredAt: CONVERSION_AT,
      isTest: false,
      customerEmailHash: "customer-hash",
      duplicate: false,
      ...overrides.conversion,
    },
    campaign: {
      status: "active",
      startsAt: new Date("2025-01-01T00:00:00.000Z"),
      endsAt: new Date("2025-12-31T00:00:00.000Z"),
      lookbackDays: 30,
      minOrderValue: 1000,
      currency: "USD",
      ...overrides.campaign,
    },
    creator: { emailHash: "creator-hash", ...overrides.creator },
    touch: {
      kind: "click",
      at: new Date(CONVERSION_AT.getTime() - 2 * DAY_MS),
      qualification: "qualified",
      ...overrides.touch,
    },
  };
}
