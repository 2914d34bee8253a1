import { describe, expect, it } from "vitest";
import { csvField, csvLine, csvText } from "./csv.ts";

describe("the CSV writer", () => {
  it("quotes a field holding a comma, a quote or a line break, doubling its quotes (RFC 4180)", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('Ada, "the" creator')).toBe('"Ada, ""the"" creator"');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("carriage\rreturn")).toBe('"carriage\rreturn"');
    expect(csvField('"')).toBe('""""');
    expect(csvField("")).toBe("");
  });

  it("defuses text a spreadsheet would run as a formula, and leaves numbers alone", () => {
    for (const formula of ["=HYPERLINK(1)", "+1", "-5", "@SUM(A1)", "\tTAB", "\rCR"]) {
      expect(csvField(formula).replace(/^"/, "")).toMatch(/^'/);
    }
    expect(csvField("=1,2")).toBe(`"'=1,2"`);
    expect(csvField(-5)).toBe("-5");
    expect(csvField(12.5)).toBe("12.5");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
  });

  it("writes lines with commas and a file with CRLF after every line, header first", () => {
    expect(csvLine(["a", "b,c", null, 3])).toBe('a,"b,c",,3');
    expect(
      csvText(
        ["name", "amount"],
        [
          ["Ada", "12.50"],
          ["=cmd", "1.00"],
        ],
      ),
    ).toBe("name,amount\r\nAda,12.50\r\n'=cmd,1.00\r\n");
    expect(csvText(["only"], [])).toBe("only\r\n");
  });
});
