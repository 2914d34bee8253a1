import { ZodError } from "zod";
import { AppError, invalidInput } from "../shared/errors.ts";
import { type HttpAnswer, toResponse } from "./answer.ts";

/** The one place that turns any thrown value into a JSON error answer; unknown errors are logged, not leaked. */
export function errorAnswer(error: unknown, headers: Record<string, string> = {}): HttpAnswer {
  const h = { ...headers, "content-type": "application/json; charset=utf-8" };
  if (error instanceof AppError) {
    const body: Record<string, unknown> = { error: { code: error.code, message: error.message } };
    if (error.details !== undefined) (body.error as Record<string, unknown>).details = error.details;
    return { status: error.status, headers: h, body: JSON.stringify(body) };
  }
  if (error instanceof ZodError) return errorAnswer(invalidInput(error), headers);
  console.error("unexpected error", error);
  return { status: 500, headers: h, body: JSON.stringify({ error: { code: "internal", message: "internal error" } }) };
}

/** errorAnswer as a Response. */
export function errorResponse(error: unknown, headers?: HeadersInit): Response {
  const record: Record<string, string> = {};
  for (const [name, value] of new Headers(headers)) record[name] = value;
  return toResponse(errorAnswer(error, record));
}
