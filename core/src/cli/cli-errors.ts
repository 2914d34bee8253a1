import { ZodError } from "zod";
import { AppError, describeZodError } from "../shared/errors.ts";

/** A mistake in how the command was called: explained with the usage text, exit code 2. */
export class UsageError extends Error {}

/** A string option that must be given and not blank; a UsageError naming it otherwise. */
export function need(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.trim() === "") throw new UsageError(`missing --${name}`);
  return v;
}

/** Output for list and show commands: the data as JSON with --json, else the lines for people. */
export function emitter(json: boolean | undefined, out: (line: string) => void) {
  return (data: unknown, lines: () => string[]) => {
    if (json) out(JSON.stringify(data, null, 2));
    else for (const line of lines()) out(line);
  };
}

/**
 * The one place CLI commands turn an expected error into a message and an exit code: 2 for usage
 * mistakes (ours or node:util parseArgs'), 1 for invalid input or a refused operation. Returns null for
 * anything else, which each command handles as it sees fit.
 */
export function explainCliError(error: unknown, usage: string, err: (line: string) => void): number | null {
  if (
    error instanceof UsageError ||
    (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
  ) {
    err(`trailmark: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (error instanceof ZodError) {
    err(
      `trailmark: invalid input: ${describeZodError(error)
        .map((i) => `${i.path}: ${i.message}`)
        .join("; ")}`,
    );
    return 1;
  }
  if (error instanceof AppError || error instanceof RangeError) {
    err(`trailmark: ${error.message}`);
    return 1;
  }
  return null;
}
