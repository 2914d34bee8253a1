import { describe, expect, it } from "vitest";
import { ruleInput } from "./rule-input.fixture.ts";
import { checkBotClick } from "./traffic-checks.ts";

describe("checkBotClick", () => {
  it("rejects a click flagged as a bot", () => {
    expect(checkBotClick(ruleInput({ touch: { qualification: "bot" } }))).toEqual({
      ok: false,
      rule: "bot_click",
      reason: "the click at 2025-03-13T12:00:00.000Z was flagged as bot traffic",
    });
  });

  it("passes a repeat click from the same visitor", () => {
    expect(checkBotClick(ruleInput({ touch: { qualification: "repeat" } }))).toEqual({ ok: true });
  });

  it("passes a qualified click and an unqualified one", () => {
    expect(checkBotClick(ruleInput({ touch: { qualification: "qualified" } }))).toEqual({ ok: true });
    expect(checkBotClick(ruleInput({ touch: { qualification: null } }))).toEqual({ ok: true });
  });

  it("passes a discount code touch", () => {
    expect(checkBotClick(ruleInput({ touch: { kind: "discount_code", qualification: null } }))).toEqual({ ok: true });
  });
});
