// PHP's json_encode with default flags, as WooCommerce's wp_json_encode produces webhook bodies: "/" is
// escaped as "\/" and every non-ASCII UTF-16 unit as a lowercase \uXXXX. Signatures are computed over
// these exact bytes, so tests must send them, not JSON.stringify's.
export function phpJsonEncode(value: unknown): string {
  // "/" and non-ASCII can only occur inside JSON strings, so escaping the serialized text is safe.
  return JSON.stringify(value)
    .replace(/\//g, "\\/")
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
