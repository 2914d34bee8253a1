import { z } from "zod";
import { ConversionRequestSchema, ConversionResponseSchema, ErrorSchema } from "./conversion-schema.ts";

// OpenAPI 3.1 uses JSON Schema 2020-12, which is what zod emits: the document is derived, never written.
function schema(s: z.ZodType, io: "input" | "output") {
  return z.toJSONSchema(s, { target: "draft-2020-12", io, unrepresentable: "any" });
}

export function buildOpenApiDocument(serverUrl = "/") {
  const error = (description: string) => ({
    description,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  });
  return {
    openapi: "3.1.0",
    info: { title: "Trailmark conversions API", version: "1.0.0", description: "Report conversions from your server." },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A store API key (tm_live_…)" } },
      schemas: {
        ConversionRequest: schema(ConversionRequestSchema, "input"),
        ConversionResponse: schema(ConversionResponseSchema, "output"),
        Error: schema(ErrorSchema, "output"),
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      "/api/v1/conversions": {
        post: {
          operationId: "createConversion",
          summary: "Record a conversion and attribute it",
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              schema: { type: "string", maxLength: 200 },
              description: "Retries with the same key return the first answer instead of recording twice",
            },
          ],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/ConversionRequest" } } },
          },
          responses: {
            "201": {
              description: "Recorded",
              content: { "application/json": { schema: { $ref: "#/components/schemas/ConversionResponse" } } },
            },
            "400": error("Invalid body; details name the field"),
            "401": error("Missing, malformed or revoked API key"),
            "409": error("Idempotency-Key reused with a different body"),
            "413": error("Body too large"),
          },
        },
      },
    },
  };
}
