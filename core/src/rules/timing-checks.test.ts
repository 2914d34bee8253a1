import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONVERSION_AT, DAY_MS, ruleInput } from "./rule-input.fixture.ts";
import { checkOutsideCampaignDates, checkOutsideLookback } from "./timing-checks.ts";

const before = (ms: number) => new Date(CONVERSION_AT.getTime() - ms);
const after = (ms: number) => new Date(CONVERSION_AT.getTime() + ms);

describe("checkOutsideCampaignDates", () => {
  it("passes a conversion inside the campaign dates", () => {
    expect(checkOutsideCampaignDates(ruleInput())).toEqual({ ok: true });
  });

  it("passes a conversion on a paused campaign", () => {
    expect(checkOutsideCampaignDates(ruleInput({ campaign: { status: "paused" } }))).toEqual({ ok: true });
  });

  it("passes a campaign without dates", () => {
    expect(checkOutsideCampaignDates(ruleInput({ campaign: { startsAt: null, endsAt: null } }))).toEqual({ ok: true });
  });

  it("rejects any conversion on an ended campaign", () => {
    expect(checkOutsideCampaignDates(ruleInput({ campaign: { status: "ended" } }))).toEqual({
      ok: false,
      rule: "outside_campaign_dates",
      reason: "the campaign has ended",
    });
  });

  it("rejects a conversion before the campaign starts", () => {
    expect(checkOutsideCampaignDates(ruleInput({ campaign: { startsAt: after(1) } }))).toEqual({
      ok: false,
      rule: "outside_campaign_dates",
      reason: "the conversion at 2025-03-15T12:00:00.000Z is before the campaign starts at 2025-03-15T12:00:00.001Z",
    });
  });

  it("rejects a conversion at the end instant, as isCampaignLive does", () => {
    expect(checkOutsideCampaignDates(ruleInput({ campaign: { endsAt: CONVERSION_AT } }))).toEqual({
      ok: false,
      rule: "outside_campaign_dates",
      reason: "the conversion at 2025-03-15T12:00:00.000Z is after the campaign ended at 2025-03-15T12:00:00.000Z",
    });
  });

  it("passes a conversion at the start instant", () => {
    expect(checkOutsideCampaignDates(ruleInput({ campaign: { startsAt: CONVERSION_AT } }))).toEqual({ ok: true });
  });
});

describe("checkOutsideLookback", () => {
  it("passes a click exactly at the edge of the window", () => {
    const input = ruleInput({ touch: { at: before(30 * DAY_MS) }, campaign: { lookbackDays: 30 } });
    expect(checkOutsideLookback(input)).toEqual({ ok: true });
  });

  it("rejects a click older than the window with its age in the reason", () => {
    const input = ruleInput({ touch: { at: before(31.5 * DAY_MS) }, campaign: { lookbackDays: 30 } });
    expect(checkOutsideLookback(input)).toEqual({
      ok: false,
      rule: "outside_lookback",
      reason:
        "the click at 2025-02-12T00:00:00.000Z was 31.5 days before the conversion, outside the campaign's 30-day lookback window",
    });
  });

  it("does not round a click just past the window down to the window", () => {
    const input = ruleInput({ touch: { at: before(30 * DAY_MS + 1) }, campaign: { lookbackDays: 30 } });
    expect(checkOutsideLookback(input)).toMatchObject({
      reason: expect.stringContaining("was more than 30 days before"),
    });
  });

  it("never rejects a discount code, however old the campaign's window", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 * DAY_MS }),
        fc.integer({ min: 1, max: 90 }),
        (age, lookbackDays) => {
          const input = ruleInput({
            touch: { kind: "discount_code", at: before(age), qualification: null },
            campaign: { lookbackDays },
          });
          expect(checkOutsideLookback(input)).toEqual({ ok: true });
        },
      ),
    );
  });

  it("rejects exactly the clicks older than lookbackDays", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -DAY_MS, max: 100 * DAY_MS }),
        fc.integer({ min: 1, max: 90 }),
        (age, lookbackDays) => {
          const verdict = checkOutsideLookback(ruleInput({ touch: { at: before(age) }, campaign: { lookbackDays } }));
          expect(verdict.ok).toBe(age <= lookbackDays * DAY_MS);
        },
      ),
    );
  });
});
