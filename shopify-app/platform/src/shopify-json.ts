// Shopify's REST payloads carry 64-bit ids as bare JSON numbers (820982911946154508), which JSON.parse rounds to
// the nearest double (820982911946154500). This parser keeps every integer beyond Number.MAX_SAFE_INTEGER as its
// exact decimal string; everything else parses as JSON.parse would.

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** JSON.parse, except that integers outside the safe range come back as strings of their digits. */
export function parseJsonKeepingBigInts(text: string): unknown {
  let out = "";
  let copiedUpTo = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code === 34 /* " */) {
      // Skip the string, escapes included.
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 92 /* \ */) i += 2;
        else if (c === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (code === 45 /* - */ || isDigit(code)) {
      const start = i;
      if (code === 45) i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const integerEnd = i;
      const next = text.charCodeAt(i);
      const fractional = next === 46 /* . */ || next === 101 /* e */ || next === 69; /* E */
      while (i < n && /[0-9.eE+-]/.test(text[i]!)) i++;
      const digits = integerEnd - start - (code === 45 ? 1 : 0);
      if (!fractional && digits >= 16 && !Number.isSafeInteger(Number(text.slice(start, integerEnd)))) {
        out += `${text.slice(copiedUpTo, start)}"${text.slice(start, integerEnd)}"`;
        copiedUpTo = integerEnd;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(copiedUpTo === 0 ? text : out + text.slice(copiedUpTo));
}
