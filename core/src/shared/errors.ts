import type { ZodError } from "zod";

// One error type with a closed set of codes, turned into a Response in one place (http/error-response.ts).
export const ERROR_STATUS = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** A zod error as a list a client can act on: the path of the field and what is wrong with it. */
export function describeZodError(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(body)", message: i.message }));
}

export function invalidInput(error: ZodError, what = "request body"): AppError {
  const issues = describeZodError(error);
  const first = issues[0];
  return new AppError("invalid", `invalid ${what}: ${first ? `${first.path}: ${first.message}` : "malformed"}`, issues);
}
