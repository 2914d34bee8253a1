import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { wooDedupKey } from "./delivery-key.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const keyOf = (text: string, topic: "order.created" | "order.deleted" = "order.created") =>
  wooDedupKey({ storeId: "st_1", topic, body: new TextEncoder().encode(text), deliveryId: "d-1" });

describe("wooDedupKey", () => {
  it("names the order whether its id comes first (read from the first bytes) or later (parsed)", () => {
    const first = '{"id":5001,"status":"processing","total":"19.99"}';
    const later = '{"status":"processing","id":5001}';
    expect(keyOf(first)).toBe(`st_1:order:5001:sha256:${sha(first)}`);
    expect(keyOf(later)).toBe(`st_1:order:5001:sha256:${sha(later)}`);
    expect(keyOf('{ "id" : "77" }')).toBe(`st_1:order:77:sha256:${sha('{ "id" : "77" }')}`);
  });

  it("reads an id past the safe integers as the schema does, as no id", () => {
    const body = '{"id":12345678901234567890,"status":"processing"}';
    expect(keyOf(body)).toBe(`st_1:order.created:sha256:${sha(body)}`);
    const safe = '{"id":9007199254740991,"status":"processing"}';
    expect(keyOf(safe)).toBe(`st_1:order:9007199254740991:sha256:${sha(safe)}`);
  });

  it("keeps each deletion, and keys a body without an id by its topic", () => {
    expect(keyOf('{"id":9}', "order.deleted")).toBe("st_1:order:9:order.deleted:d-1");
    expect(keyOf("<html>oops")).toBe(`st_1:order.created:sha256:${sha("<html>oops")}`);
    expect(keyOf('{"id":012}')).toBe(`st_1:order.created:sha256:${sha('{"id":012}')}`);
  });
});
