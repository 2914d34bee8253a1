// Tracking link codes as they appear in /c/:code. Anything else is answered 404 without a lookup.
export const LINK_CODE_PATTERN = /^[0-9A-Za-z_-]{3,64}$/;
const REDIRECT_PATH = /^\/c\/([0-9A-Za-z_-]{3,64})\/?$/;

/**
 * The code in /c/:code of a request URL or of a bare request target ("/c/abc?x=1"), or null; works on the
 * string without parsing it. A target is never searched for "://", which its query may well contain.
 */
export function linkCodeFromUrl(url: string): string | null {
  let pathStart = 0;
  if (!url.startsWith("/")) {
    const scheme = url.indexOf("://");
    pathStart = url.indexOf("/", scheme === -1 ? 0 : scheme + 3);
  }
  if (pathStart === -1) return null;
  let pathEnd = url.length;
  const query = url.indexOf("?", pathStart);
  if (query !== -1) pathEnd = query;
  const hash = url.indexOf("#", pathStart);
  if (hash !== -1 && hash < pathEnd) pathEnd = hash;
  const match = REDIRECT_PATH.exec(url.slice(pathStart, pathEnd));
  return match === null ? null : match[1]!;
}
