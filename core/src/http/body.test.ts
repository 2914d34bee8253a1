import { describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import { readBodyBytes, readBodyText } from "./body.ts";

function streamOf(chunks: Uint8Array[], pulled: { count: number }): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream(
    {
      pull(controller) {
        pulled.count++;
        if (i < chunks.length) controller.enqueue(chunks[i++]!);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://t.example/", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

describe("readBodyText", () => {
  it("reads a body within the limit", async () => {
    expect(await readBodyText(post('{"a":"é"}'), 100)).toBe('{"a":"é"}');
  });

  it("reads an absent body as empty", async () => {
    expect(await readBodyText(new Request("http://t.example/"), 10)).toBe("");
  });

  it("rejects a declared Content-Length over the limit before reading", async () => {
    const pulled = { count: 0 };
    const request = post(streamOf([new Uint8Array(10)], pulled), { "content-length": "1000" });
    const error = await readBodyText(request, 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("payload_too_large");
    expect(pulled.count).toBe(0);
  });

  it("stops reading a stream at the chunk that crosses the limit", async () => {
    const pulled = { count: 0 };
    const chunks = Array.from({ length: 100 }, () => new Uint8Array(40));
    const error = await readBodyText(post(streamOf(chunks, pulled)), 100).catch((e: unknown) => e);
    expect((error as AppError).code).toBe("payload_too_large");
    expect(pulled.count).toBeLessThan(10);
  });
});

describe("readBodyBytes", () => {
  it("joins the chunks of a streamed body", async () => {
    const pulled = { count: 0 };
    const bytes = await readBodyBytes(post(streamOf([Uint8Array.of(1, 2), Uint8Array.of(3)], pulled)), 3);
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it("rejects a body one byte over the limit", async () => {
    await expect(readBodyBytes(post(new Uint8Array(11)), 10)).rejects.toMatchObject({ code: "payload_too_large" });
  });
});
