import { createHash } from "node:crypto";
import { ConversionRequestSchema, MAX_API_BODY_BYTES } from "../api/conversion-schema.ts";
import { buildOpenApiDocument } from "../api/openapi.ts";
import { recordApiConversion } from "../api/record-conversion.ts";
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { authenticateApiKey } from "../stores/api-keys.ts";
import { errorResponse } from "./error-response.ts";
import { mediaType, readJsonBody } from "./json-body.ts";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function createOpenApiHandler() {
  const body = JSON.stringify(buildOpenApiDocument());
  return async () => new Response(body, { headers: { ...JSON_HEADERS, "cache-control": "public, max-age=300" } });
}

/** POST /api/v1/conversions, with bearer keys and Idempotency-Key replays. */
export function createConversionsHandler(options: { db: Db; now?: () => Date }) {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  return async function conversions(request: Request): Promise<Response> {
    try {
      if (request.method !== "POST") throw new AppError("invalid", "use POST");
      const { storeId } = await authenticateApiKey(db, request.headers.get("authorization"), now());
      if (mediaType(request) !== "application/json")
        throw new AppError("unsupported_media_type", "send application/json");
      const { text, data } = await readJsonBody(request, MAX_API_BODY_BYTES, ConversionRequestSchema);
      const key = request.headers.get("idempotency-key");
      if (key !== null && (key.length === 0 || key.length > 200))
        throw new AppError("invalid", "Idempotency-Key must be 1-200 characters");
      const requestHash = createHash("sha256").update(text).digest("hex");
      if (key) {
        const previous = await db.idempotencyKey.findUnique({ where: { storeId_key: { storeId, key } } });
        if (previous) return replay(previous, requestHash);
      }
      const result = await recordApiConversion(db, storeId, data, key ? `key:${key}` : newId("req"), now());
      const responseBody = JSON.stringify(result);
      if (key) {
        try {
          await db.idempotencyKey.create({
            data: { id: newId("idem"), storeId, key, requestHash, status: 201, response: responseBody },
          });
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          // A concurrent retry with the same key finished first; both recorded the same conversion once.
          const previous = await db.idempotencyKey.findUniqueOrThrow({ where: { storeId_key: { storeId, key } } });
          return replay(previous, requestHash);
        }
      }
      return new Response(responseBody, { status: 201, headers: JSON_HEADERS });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

function replay(previous: { requestHash: string; status: number; response: string }, requestHash: string): Response {
  if (previous.requestHash !== requestHash) {
    throw new AppError("conflict", "this Idempotency-Key was used with a different body");
  }
  return new Response(previous.response, {
    status: previous.status,
    headers: { ...JSON_HEADERS, "idempotent-replayed": "true" },
  });
}
