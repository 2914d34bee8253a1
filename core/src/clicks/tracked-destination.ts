import { CLICK_ID_PARAM } from "../links/click-id.ts";
import { slugify } from "./slugify.ts";

export interface TrackingParams {
  campaignName: string;
  creatorName: string;
  /** Fallbacks when a name has no slug-able characters (e.g. only emoji). */
  campaignId: string;
  creatorId: string;
  lookbackDays: number;
}

export interface PreparedDestination {
  /** The destination as stored, normalised: where paused links, ended campaigns and bots go. */
  plain: string;
  /** The destination with the UTM and tm_* parameters for one click. */
  tracked(clickId: string): string;
}

// Parameters Trailmark owns: a merchant's own values for these are replaced, every other parameter is
// kept byte for byte (re-serialising through URLSearchParams would re-encode them).
const OWN_PARAMS = new Set([
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_content",
  "utm_id",
  CLICK_ID_PARAM,
  "tm_lb",
]);

function paramName(pair: string): string {
  const eq = pair.indexOf("=");
  const raw = (eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, " ");
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Parses a link's stored destination once so that each click only concatenates strings. Returns null
 * for a destination that is not an absolute http(s) URL: such a link is never redirected to.
 */
export function prepareDestination(destinationUrl: string, params: TrackingParams): PreparedDestination | null {
  let url: URL;
  try {
    url = new URL(destinationUrl);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  // href is ASCII (punycode host, percent-encoded path), so it is always a valid Location header value.
  const plain = url.href;
  const hashAt = plain.indexOf("#");
  const fragment = hashAt === -1 ? "" : plain.slice(hashAt);
  const beforeFragment = hashAt === -1 ? plain : plain.slice(0, hashAt);
  const queryAt = beforeFragment.indexOf("?");
  const base = queryAt === -1 ? beforeFragment : beforeFragment.slice(0, queryAt);
  const kept = queryAt === -1 ? [] : beforeFragment.slice(queryAt + 1).split("&");
  const pairs = kept.filter((pair) => pair !== "" && !OWN_PARAMS.has(paramName(pair)));
  const campaign = slugify(params.campaignName) || slugify(params.campaignId);
  const creator = slugify(params.creatorName) || slugify(params.creatorId);
  pairs.push(
    "utm_source=trailmark",
    "utm_medium=influencer",
    `utm_campaign=${encodeURIComponent(campaign)}`,
    `utm_content=${encodeURIComponent(creator)}`,
    `tm_lb=${params.lookbackDays}`,
    "utm_id=",
  );
  // Click ids are [0-9A-Za-z_], so they are concatenated without encoding.
  const head = `${base}?${pairs.join("&")}`;
  const middle = `&${CLICK_ID_PARAM}=`;
  return { plain, tracked: (clickId) => head + clickId + middle + clickId + fragment };
}
