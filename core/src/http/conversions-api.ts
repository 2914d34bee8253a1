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
      if (!key) {
        const result = await recordApiConversion(db, storeId, data, newId("req"), now());
        return new Response(JSON.stringify(result), { status: 201, headers: JSON_HEADERS });
      }
      const reservation = await reserveKey(db, storeId, key, requestHash, now());
      if (reservation !== "reserved") return replay(reservation, requestHash);
      let responseBody: string;
      try {
        responseBody = JSON.stringify(await recordApiConversion(db, storeId, data, `key:${key}`, now()));
      } catch (error) {
        // Nothing was answered for this key: free it so the client may send the request again.
        await db.idempotencyKey.deleteMany({ where: { storeId, key, requestHash, status: IN_PROGRESS } });
        throw error;
      }
      await db.idempotencyKey.update({
        where: { storeId_key: { storeId, key } },
        data: { status: 201, response: responseBody },
      });
      return new Response(responseBody, { status: 201, headers: JSON_HEADERS });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** The status of a reserved key whose request is still being recorded. */
const IN_PROGRESS = 0;
/**
 * A reservation older than this belongs to a request that died before it answered (a crash): the next
 * request with the key takes it over. Recording is idempotent per order and event id, so nothing doubles.
 */
const ABANDONED_AFTER_MS = 5 * 60_000;

type KeyRow = { requestHash: string; status: number; response: string; createdAt: Date };

/**
 * Claims the key before anything is recorded: the unique (storeId, key) insert lets exactly one of
 * racing requests through; the others get the stored row and record nothing.
 */
async function reserveKey(
  db: Db,
  storeId: string,
  key: string,
  requestHash: string,
  at: Date,
): Promise<"reserved" | KeyRow> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await db.idempotencyKey.create({
        data: { id: newId("idem"), storeId, key, requestHash, status: IN_PROGRESS, response: "", createdAt: at },
      });
      return "reserved";
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const previous = await db.idempotencyKey.findUnique({ where: { storeId_key: { storeId, key } } });
    if (!previous) continue; // freed by a request that failed: try again
    if (previous.status !== IN_PROGRESS || at.getTime() - previous.createdAt.getTime() < ABANDONED_AFTER_MS)
      return previous;
    const { count } = await db.idempotencyKey.updateMany({
      where: { storeId, key, status: IN_PROGRESS, createdAt: previous.createdAt },
      data: { requestHash, createdAt: at },
    });
    if (count === 1) return "reserved";
  }
  throw new AppError("conflict", "a request with this Idempotency-Key is in progress; retry later");
}

function replay(previous: KeyRow, requestHash: string): Response {
  if (previous.requestHash !== requestHash) {
    throw new AppError("conflict", "this Idempotency-Key was used with a different body");
  }
  if (previous.status === IN_PROGRESS) {
    throw new AppError("conflict", "a request with this Idempotency-Key is in progress; retry later");
  }
  return new Response(previous.response, {
    status: previous.status,
    headers: { ...JSON_HEADERS, "idempotent-replayed": "true" },
  });
}
