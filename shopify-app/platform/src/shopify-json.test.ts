import { describe, expect, it } from "vitest";
import { parseJsonKeepingBigInts } from "./shopify-json.ts";

describe("parseJsonKeepingBigInts", () => {
  it("keeps integers beyond 2^53 exact, as strings", () => {
    const parsed = parseJsonKeepingBigInts('{"id":820982911946154508,"ids":[9007199254740993,-9007199254740993]}');
    expect(parsed).toEqual({ id: "820982911946154508", ids: ["9007199254740993", "-9007199254740993"] });
  });

  it("parses safe numbers, decimals and exponents as JSON.parse does", () => {
    const text = '{"a":9007199254740991,"b":-1,"c":19.99,"d":1e21,"e":12345678901234567.5,"f":0}';
    expect(parseJsonKeepingBigInts(text)).toEqual(JSON.parse(text));
  });

  it("leaves digits inside strings alone, escaped quotes included", () => {
    const text = '{"note":"order \\"820982911946154508\\" 123","x":"\\\\","n":820982911946154508}';
    expect(parseJsonKeepingBigInts(text)).toEqual({
      note: 'order "820982911946154508" 123',
      x: "\\",
      n: "820982911946154508",
    });
  });

  it("rejects what JSON.parse rejects", () => {
    expect(() => parseJsonKeepingBigInts('{"id": 820982911946154508')).toThrow(SyntaxError);
  });
});
