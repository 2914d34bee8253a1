import { AppError } from "../shared/errors.ts";

// Bodies are read with a hard cap so a client cannot make the server buffer more than it will accept:
// a declared Content-Length over the cap fails before reading, and a stream that grows past it is
// cancelled at the chunk that crosses the line.

export function tooLarge(maxBytes: number): AppError {
  return new AppError("payload_too_large", `request body exceeds ${maxBytes} bytes`);
}

/** The body as bytes; throws AppError("payload_too_large") past maxBytes. An absent body is empty. */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const decoder = new TextDecoder();

/** The body as UTF-8 text; throws AppError("payload_too_large") past maxBytes. */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  return decoder.decode(await readBodyBytes(request, maxBytes));
}
