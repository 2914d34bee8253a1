// Facts about a click taken from its request headers, reduced to what analytics needs.

const COUNTRY = /^[A-Za-z]{2}$/;

/**
 * ISO country from the edge's headers (Cloudflare's cf-ipcountry first, else x-country-code from another
 * proxy), or null when missing, malformed or unknown ("XX").
 */
export function countryFrom(cfIpCountry: string | null, xCountryCode: string | null): string | null {
  const value = cfIpCountry ?? xCountryCode;
  if (value === null || !COUNTRY.test(value)) return null;
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
