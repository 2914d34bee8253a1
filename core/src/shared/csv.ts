// The one CSV writer: every export (the admin's conversions, a payout run, the creator's earnings) is RFC 4180
// text (comma separated, CRLF line ends, a field quoted when it holds a comma, a quote or a line break, its
// quotes doubled). Text that a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets an
// apostrophe in front: names, references and reasons come from creators, customers and platforms. Numbers are
// written as they are, so a negative number stays a number.

export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: "" for null, a defused formula, quoted when needed. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line, without its line end. */
export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(",");
}

/** A whole file: the header, then one line per row, each ended by CRLF. */
export function csvText(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [csvLine(header)];
  for (const row of rows) lines.push(csvLine(row));
  return `${lines.join("\r\n")}\r\n`;
}
