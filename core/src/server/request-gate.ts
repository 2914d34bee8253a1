import type { HttpAnswer } from "../http/answer.ts";
import { errorAnswer } from "../http/error-response.ts";
import { AppError } from "../shared/errors.ts";

/**
 * A bound on how many requests of one kind the fetch handler runs at once, kept on node:http in front of it
 * (ServeOptions.gates). Past the bound a request is answered at once with a small fixed answer, before any
 * fetch Request, body stream or app code exists for it: a flood of such requests then costs the event loop
 * little more than parsing their headers, so other visitors' requests are not queued behind it.
 */
export interface RequestGate {
  /** Whether a request (its method and request target, "/path?query") is one the gate bounds. */
  matches(method: string, target: string): boolean;
  /** Takes a slot: the function that gives it back once the request is answered, or null when all are taken. */
  enter(): (() => void) | null;
  /** The answer to a request past the bound. */
  readonly refusal: HttpAnswer;
}

export interface ConcurrencyGateOptions {
  matches: RequestGate["matches"];
  /** Requests the handler may run at once. */
  limit: number;
  /** The refusal's message (a 429 with Retry-After: 1). */
  message: string;
}

export function concurrencyGate(options: ConcurrencyGateOptions): RequestGate & { inFlight(): number } {
  let inFlight = 0;
  // Built once: a refusal allocates no error (an Error captures a stack trace) and no JSON per request.
  const refusal = errorAnswer(new AppError("rate_limited", options.message), { "retry-after": "1" });
  return {
    matches: options.matches,
    refusal,
    inFlight: () => inFlight,
    enter() {
      if (inFlight >= options.limit) return null;
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
  };
}

/**
 * The path of a request target as the app's router will see it: query dropped, percent-escapes decoded, dot
 * segments resolved, repeated slashes folded, lower-cased (the router matches case-insensitively), so that a
 * gate on a path cannot be stepped around by spelling the path another way. null when it does not parse.
 */
export function routedPath(target: string): string | null {
  try {
    // Prefixed rather than resolved against a base: "//x/y" would be read as the host x.
    const { pathname } = new URL(target.startsWith("/") ? `http://gate.invalid${target}` : target);
    return decodeURIComponent(pathname)
      .replace(/\/{2,}/g, "/")
      .toLowerCase();
  } catch {
    return null;
  }
}
