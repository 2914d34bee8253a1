import { z } from "zod";

// Activates the Trailmark web pixel on a shop. Nothing turns a web pixel extension on by itself: the app creates
// the shop's pixel record with its settings (webPixelCreate), or, when the shop already has one (userError
// TAKEN), looks it up and updates it. What to do next is decided by a pure function of the last GraphQL answer;
// the loop around it only sends the queries.

export interface PixelSettings {
  /** The Trailmark store id, sent by the pixel as `store` with every event. */
  accountID: string;
  /** Where the pixel posts its events. */
  collectorUrl: string;
}

/** What the admin page shows: the pixel's state after the last attempt to activate it. */
export const PixelStateSchema = z.object({
  status: z.enum(["active", "error"]),
  id: z.string().nullable(),
  error: z.string().nullable(),
  checkedAt: z.string(),
});
export type PixelState = z.infer<typeof PixelStateSchema>;

export function pixelSettingsFor(storeId: string, appUrl: string): PixelSettings {
  return { accountID: storeId, collectorUrl: `${appUrl.replace(/\/+$/, "")}/collect` };
}

export const WEB_PIXEL_CREATE = `#graphql
  mutation trailmarkWebPixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) {
      userErrors { code field message }
      webPixel { id settings }
    }
  }`;

export const WEB_PIXEL_QUERY = `#graphql
  query trailmarkWebPixel {
    webPixel { id settings }
  }`;

export const WEB_PIXEL_UPDATE = `#graphql
  mutation trailmarkWebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) {
      userErrors { code field message }
      webPixel { id settings }
    }
  }`;

const UserErrorSchema = z.object({
  code: z.string().nullish(),
  field: z.array(z.string()).nullish(),
  message: z.string(),
});
const WebPixelSchema = z.object({ id: z.string().min(1), settings: z.unknown() });
const PayloadSchema = z.object({ userErrors: z.array(UserErrorSchema), webPixel: WebPixelSchema.nullish() });
const GraphqlErrorsSchema = z.array(z.object({ message: z.string() })).optional();

const CreateAnswerSchema = z.object({
  data: z.object({ webPixelCreate: PayloadSchema.nullable() }).nullish(),
  errors: GraphqlErrorsSchema,
});
const UpdateAnswerSchema = z.object({
  data: z.object({ webPixelUpdate: PayloadSchema.nullable() }).nullish(),
  errors: GraphqlErrorsSchema,
});
const LookupAnswerSchema = z.object({
  data: z.object({ webPixel: WebPixelSchema.nullable() }).nullish(),
  errors: GraphqlErrorsSchema,
});

export type PixelStep = "create" | "lookup" | "update";

export type PixelDecision =
  | { next: "lookup" }
  | { next: "update"; id: string }
  | { next: "active"; id: string }
  | { next: "error"; error: string };

/** Settings come back as a JSON string or an object, depending on the API version. */
function settingsOf(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function sameSettings(actual: unknown, wanted: PixelSettings): boolean {
  const parsed = settingsOf(actual);
  if (typeof parsed !== "object" || parsed === null) return false;
  const record = parsed as Record<string, unknown>;
  return record.accountID === wanted.accountID && record.collectorUrl === wanted.collectorUrl;
}

function describeUserErrors(errors: z.infer<typeof UserErrorSchema>[]): string {
  return errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ");
}

function describeGraphqlErrors(errors: { message: string }[] | undefined): string | null {
  return errors && errors.length > 0 ? errors.map((e) => e.message).join("; ") : null;
}

/** What to do after one step, given that step's GraphQL answer (the parsed JSON body). */
export function decidePixelStep(step: PixelStep, answer: unknown, wanted: PixelSettings): PixelDecision {
  if (step === "lookup") {
    const parsed = LookupAnswerSchema.safeParse(answer);
    if (!parsed.success) return { next: "error", error: "unexpected answer to the webPixel query" };
    const failure = describeGraphqlErrors(parsed.data.errors);
    const pixel = parsed.data.data?.webPixel;
    if (pixel) {
      return sameSettings(pixel.settings, wanted) ? { next: "active", id: pixel.id } : { next: "update", id: pixel.id };
    }
    return { next: "error", error: failure ?? "the shop reported its web pixel as taken but returned none" };
  }
  const parsed = (step === "create" ? CreateAnswerSchema : UpdateAnswerSchema).safeParse(answer);
  if (!parsed.success)
    return { next: "error", error: `unexpected answer to webPixel${step === "create" ? "Create" : "Update"}` };
  const data = parsed.data.data as Record<string, z.infer<typeof PayloadSchema> | null> | null | undefined;
  const payload = data?.[step === "create" ? "webPixelCreate" : "webPixelUpdate"] ?? null;
  const failure = describeGraphqlErrors(parsed.data.errors);
  if (!payload) return { next: "error", error: failure ?? "empty answer from Shopify" };
  if (payload.userErrors.length > 0) {
    if (step === "create" && payload.userErrors.some((e) => e.code === "TAKEN")) return { next: "lookup" };
    return { next: "error", error: describeUserErrors(payload.userErrors) };
  }
  if (payload.webPixel) return { next: "active", id: payload.webPixel.id };
  return { next: "error", error: failure ?? "Shopify returned no web pixel and no error" };
}

/** The Admin GraphQL call as shopify-app-remix's `admin.graphql` makes it. */
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

function errorMessage(error: unknown): string {
  if (error instanceof Response) return `Shopify answered HTTP ${error.status}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Creates or updates the shop's web pixel; never throws: a failure is returned as an error state. */
export async function activateWebPixel(
  graphql: AdminGraphql,
  settings: PixelSettings,
  now: () => Date = () => new Date(),
): Promise<PixelState> {
  const webPixel = { settings: JSON.stringify(settings) };
  const done = (decision: { id?: string; error?: string }): PixelState => ({
    status: decision.error === undefined ? "active" : "error",
    id: decision.id ?? null,
    error: decision.error ?? null,
    checkedAt: now().toISOString(),
  });
  let step: PixelStep = "create";
  let variables: Record<string, unknown> = { webPixel };
  // create -> (TAKEN) lookup -> (different settings) update: at most three calls.
  for (let calls = 0; calls < 3; calls++) {
    let answer: unknown;
    try {
      const query = step === "create" ? WEB_PIXEL_CREATE : step === "lookup" ? WEB_PIXEL_QUERY : WEB_PIXEL_UPDATE;
      const response = await graphql(query, step === "lookup" ? undefined : { variables });
      answer = await response.json();
    } catch (error) {
      return done({ error: errorMessage(error) });
    }
    const decision = decidePixelStep(step, answer, settings);
    if (decision.next === "active") return done({ id: decision.id });
    if (decision.next === "error") return done({ error: decision.error });
    if (decision.next === "lookup") {
      step = "lookup";
    } else {
      step = "update";
      variables = { id: decision.id, webPixel };
    }
  }
  return done({ error: "web pixel activation did not settle" });
}

/** Reads the recorded state from a store's credentials; null when none was recorded yet. */
export function pixelStateOf(credentials: Record<string, unknown>): PixelState | null {
  const parsed = PixelStateSchema.safeParse(credentials.pixel);
  return parsed.success ? parsed.data : null;
}
