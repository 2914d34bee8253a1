import type { z } from "zod";
import { AppError, invalidInput } from "../shared/errors.ts";
import { mediaTypeOf } from "./answer.ts";
import { readBodyText } from "./body.ts";

/** Reads a capped body, parses it as JSON and validates it: 413, 400 "not JSON" or 400 naming the field. */
export async function readJsonBody<T extends z.ZodType>(
  request: Request,
  maxBytes: number,
  schema: T,
): Promise<{ text: string; data: z.infer<T> }> {
  const text = await readBodyText(request, maxBytes);
  return { text, data: parseJsonBody(text, schema) };
}

/** Parses a body as JSON and validates it: 400 "not JSON" or 400 naming the field. */
export function parseJsonBody<T extends z.ZodType>(text: string, schema: T): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError("invalid", "body is not valid JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
}

/** The media type of a request without parameters, lower-cased; `fallback` when absent. */
export function mediaType(request: Request, fallback = ""): string {
  return mediaTypeOf(request.headers.get("content-type"), fallback);
}
