import { isCampaignLive } from "../campaigns/campaign.ts";
import { PASS, type RuleInput, type RuleVerdict, reject } from "./rule-verdict.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Uses isCampaignLive at conversion time, so a paused campaign still accepts conversions (its earlier
 * clicks keep working); only an ended campaign or a conversion outside its dates is rejected.
 */
export function checkOutsideCampaignDates(input: RuleInput): RuleVerdict {
  const { campaign, conversion } = input;
  const at = conversion.occurredAt;
  if (isCampaignLive(campaign, at)) return PASS;
  if (campaign.status === "ended") return reject("outside_campaign_dates", "the campaign has ended");
  if (campaign.startsAt && at < campaign.startsAt) {
    return reject(
      "outside_campaign_dates",
      `the conversion at ${at.toISOString()} is before the campaign starts at ${campaign.startsAt.toISOString()}`,
    );
  }
  const endsAt = campaign.endsAt ? ` at ${campaign.endsAt.toISOString()}` : "";
  return reject("outside_campaign_dates", `the conversion at ${at.toISOString()} is after the campaign ended${endsAt}`);
}

/**
 * A click older than the lookback window did not earn the conversion. Discount codes are entered at
 * checkout, so their touch is the order itself and never falls outside the window. A click after the
 * conversion is not this rule's concern: attribution only credits touches before the conversion.
 * The boundary is inclusive: a click exactly lookbackDays old still counts.
 */
export function checkOutsideLookback(input: RuleInput): RuleVerdict {
  const { touch, conversion, campaign } = input;
  if (touch.kind !== "click") return PASS;
  const age = conversion.occurredAt.getTime() - touch.at.getTime();
  const window = campaign.lookbackDays * DAY_MS;
  if (age <= window) return PASS;
  return reject(
    "outside_lookback",
    `the click at ${touch.at.toISOString()} was ${describeDays(age, campaign.lookbackDays)} before the conversion, outside the campaign's ${campaign.lookbackDays}-day lookback window`,
  );
}

// One decimal reads well, but must not round an over-the-limit age down to the limit itself.
function describeDays(ms: number, limit: number): string {
  const days = (ms / DAY_MS).toFixed(1);
  return Number(days) > limit ? `${days} days` : `more than ${limit} days`;
}
