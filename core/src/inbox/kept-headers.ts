const SECRET_HEADERS = /hmac|signature|authorization|cookie|token/i;

/** The headers worth keeping with a delivery, never its signature or credentials. */
export function keptHeadersJson(headers: Record<string, string>): string {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!SECRET_HEADERS.test(name)) kept[name] = value;
  return JSON.stringify(kept);
}
