import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateRules, RULES } from "./evaluate-rules.ts";
import { CONVERSION_AT, DAY_MS, ruleInput } from "./rule-input.fixture.ts";
import { RULE_NAMES, type RuleInput } from "./rule-verdict.ts";

// One input per rule that fails that rule and no other.
const FAILING: Record<(typeof RULE_NAMES)[number], RuleInput> = {
  duplicate: ruleInput({ conversion: { duplicate: true } }),
  test_order: ruleInput({ conversion: { isTest: true } }),
  currency_mismatch: {
    ...ruleInput({ conversion: { currency: "JPY" }, campaign: { minOrderValue: 0 } }),
    commission: { type: "flat", amount: 500 },
  },
  outside_campaign_dates: ruleInput({ campaign: { status: "ended" } }),
  outside_lookback: ruleInput({ touch: { at: new Date(CONVERSION_AT.getTime() - 40 * DAY_MS) } }),
  below_minimum_order: ruleInput({ conversion: { value: 1 } }),
  self_referral: ruleInput({ creator: { emailHash: "customer-hash" } }),
  bot_click: ruleInput({ touch: { qualification: "bot" } }),
};

describe("evaluateRules", () => {
  it("accepts a clean conversion", () => {
    expect(evaluateRules(ruleInput())).toEqual({ ok: true });
  });

  it("lists one check per rule name, in RULE_NAMES order", () => {
    expect(RULES.map((r) => r.name)).toEqual([...RULE_NAMES]);
  });

  it.each(RULE_NAMES)("records %s when only that rule fails", (name) => {
    const verdict = evaluateRules(FAILING[name]);
    expect(verdict).toMatchObject({ ok: false, rule: name });
    if (!verdict.ok) expect(verdict.reason.length).toBeGreaterThan(0);
  });

  it("each check only ever reports its own rule", () => {
    for (const { name, check } of RULES) {
      for (const input of Object.values(FAILING)) {
        const verdict = check(input);
        if (!verdict.ok) expect(verdict.rule).toBe(name);
      }
    }
  });

  it("reports the earliest failing rule when several fail", () => {
    const input = ruleInput({
      conversion: { isTest: true, value: 1 },
      touch: { qualification: "bot" },
      creator: { emailHash: "customer-hash" },
    });
    expect(evaluateRules(input)).toMatchObject({ ok: false, rule: "test_order" });
  });

  it("always reports the first rule, in RULE_NAMES order, whose failure was mixed in", () => {
    const subset = fc.subarray([...RULE_NAMES]);
    fc.assert(
      fc.property(subset, (failing) => {
        const input = ruleInput();
        for (const name of failing) {
          const f = FAILING[name];
          Object.assign(input.conversion, diff(ruleInput().conversion, f.conversion));
          Object.assign(input.campaign, diff(ruleInput().campaign, f.campaign));
          Object.assign(input.creator, diff(ruleInput().creator, f.creator));
          Object.assign(input.touch, diff(ruleInput().touch, f.touch));
          if (f.commission) input.commission = f.commission;
        }
        const verdict = evaluateRules(input);
        const first = RULE_NAMES.find((name) => failing.includes(name));
        if (first === undefined) expect(verdict).toEqual({ ok: true });
        else expect(verdict).toMatchObject({ ok: false, rule: first });
      }),
    );
  });

  it("never reports a rule whose own check passes", () => {
    const input = fc.record({
      duplicate: fc.boolean(),
      isTest: fc.boolean(),
      status: fc.constantFrom("active", "paused", "ended") as fc.Arbitrary<"active" | "paused" | "ended">,
      kind: fc.constantFrom("purchase", "sign_up", "lead", "custom") as fc.Arbitrary<RuleInput["conversion"]["kind"]>,
      value: fc.nat(5000),
      minOrderValue: fc.nat(5000),
      clickAge: fc.integer({ min: 0, max: 60 * DAY_MS }),
      touchKind: fc.constantFrom("click", "discount_code") as fc.Arbitrary<"click" | "discount_code">,
      qualification: fc.constantFrom("qualified", "repeat", "bot", null) as fc.Arbitrary<
        "qualified" | "repeat" | "bot" | null
      >,
      customer: fc.constantFrom("a", "b", null),
      creator: fc.constantFrom("a", "b", null),
    });
    fc.assert(
      fc.property(input, (v) => {
        const built = ruleInput({
          conversion: {
            duplicate: v.duplicate,
            isTest: v.isTest,
            kind: v.kind,
            value: v.value,
            customerEmailHash: v.customer,
          },
          campaign: { status: v.status, minOrderValue: v.minOrderValue },
          creator: { emailHash: v.creator },
          touch: {
            kind: v.touchKind,
            qualification: v.qualification,
            at: new Date(CONVERSION_AT.getTime() - v.clickAge),
          },
        });
        const verdict = evaluateRules(built);
        const firstFailing = RULES.find(({ check }) => !check(built).ok);
        if (firstFailing === undefined) expect(verdict).toEqual({ ok: true });
        else expect(verdict).toEqual(firstFailing.check(built));
      }),
    );
  });
});

function diff<T extends object>(base: T, changed: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(changed) as (keyof T)[]) {
    if (!Object.is(base[key], changed[key]) && !sameDate(base[key], changed[key])) out[key] = changed[key];
  }
  return out;
}

function sameDate(a: unknown, b: unknown): boolean {
  return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
}
