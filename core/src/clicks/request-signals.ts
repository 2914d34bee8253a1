// Facts about a click taken from its request headers, reduced to what analytics needs.

const COUNTRY = /^[A-Za-z]{2}$/;

/** ISO country from the edge (Cloudflare's cf-ipcountry, or x-country-code from another proxy); "XX" is unknown. */
export function countryFromHeaders(headers: Headers): string | null {
  return countryCode(headers.get("cf-ipcountry") ?? headers.get("x-country-code"));
}

/** The edge's country header value as an ISO code, or null when it is missing, malformed or unknown. */
export function countryCode(value: string | null | undefined): string | null {
  if (value == null || !COUNTRY.test(value)) return null;
  const country = value.toUpperCase();
  return country === "XX" ? null : country;
}

const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;

/** The host of a Referer, without user info or port; the full referring URL is never kept. */
export function referrerHost(referer: string | null): string | null {
  if (referer === null) return null;
  const match = AUTHORITY.exec(referer);
  if (match === null) return null;
  let host = match[1]!;
  const at = host.lastIndexOf("@");
  if (at !== -1) host = host.slice(at + 1);
  host = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, "");
  host = host.toLowerCase();
  return host === "" || host.length > 253 ? null : host;
}
