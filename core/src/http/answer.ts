// A complete HTTP answer as plain data. The hot tracking endpoints decide in terms of it, so the node:http
// server can write it directly (core/src/server/node-http.ts writeAnswer) and fetch-style hosts get the
// same answer as a Response (toResponse): one decision, two thin adapters.
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

export function toResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** The media type of a Content-Type value without parameters, lower-cased; `fallback` when absent. */
export function mediaTypeOf(contentType: string | null | undefined, fallback = ""): string {
  return (contentType ?? fallback).split(";")[0]!.trim().toLowerCase();
}
