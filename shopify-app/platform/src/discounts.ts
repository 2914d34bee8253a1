import { DiscountCodeError, type DiscountSpec, type StoreDiscountGateway } from "@trailmark/core/applications";
import { formatMinorUnits } from "@trailmark/core/shared";
import type { AdminGraphql } from "./pixel.ts";

// A creator's discount code as a Shopify basic code discount (Admin GraphQL discountCodeBasicCreate), turned off
// and on with discountCodeDeactivate / discountCodeActivate. A code the shop already has is adopted when it is
// the same discount (a retry after a lost answer), else refused with a free code to try. A shop that has not
// granted write_discounts yet gets a sentence asking for it instead of Shopify's access error.

export const DISCOUNT_SCOPE = "write_discounts";

export const DISCOUNT_CODE_BASIC_CREATE = `mutation trailmarkDiscountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

export const DISCOUNT_CODE_BY_CODE = `query trailmarkDiscountCodeByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) {
    id
    codeDiscount {
      __typename
      ... on DiscountCodeBasic {
        title
        appliesOncePerCustomer
        customerGets { value { __typename ... on DiscountPercentage { percentage } ... on DiscountAmount { amount { amount currencyCode } } } }
      }
    }
  }
}`;

export const DISCOUNT_CODE_DEACTIVATE = `mutation trailmarkDiscountCodeDeactivate($id: ID!) {
  discountCodeDeactivate(id: $id) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

export const DISCOUNT_CODE_ACTIVATE = `mutation trailmarkDiscountCodeActivate($id: ID!) {
  discountCodeActivate(id: $id) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

export const MISSING_DISCOUNT_SCOPE_MESSAGE =
  "Trailmark needs a new permission to create discount codes in your shop: open Trailmark in your Shopify admin and accept the updated permissions (write_discounts), then press Create in shop again.";

/** The DiscountCodeBasicInput for a code: every customer, the whole order, the campaign's dates. */
export function discountCodeBasicInput(spec: DiscountSpec, now: Date): Record<string, unknown> {
  const value =
    spec.type === "percentage"
      ? { percentage: spec.value / 10_000 }
      : { discountAmount: { amount: formatMinorUnits(spec.value, spec.currency), appliesOnEachItem: false } };
  return {
    title: spec.title,
    code: spec.code,
    startsAt: (spec.startsAt ?? now).toISOString(),
    endsAt: spec.endsAt ? spec.endsAt.toISOString() : null,
    context: { all: "ALL" },
    customerGets: { value, items: { all: true } },
    appliesOncePerCustomer: spec.oncePerCustomer,
    minimumRequirement:
      spec.minimumSubtotal > 0
        ? { subtotal: { greaterThanOrEqualToSubtotal: formatMinorUnits(spec.minimumSubtotal, spec.currency) } }
        : null,
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
  };
}

interface UserError {
  field?: string[] | null;
  code?: string | null;
  message: string;
}

interface GraphqlAnswer {
  data?: Record<string, { codeDiscountNode?: { id: string } | null; userErrors?: UserError[] } | null> | null;
  errors?: { message: string; extensions?: { code?: string } }[] | string;
}

function isAccessDenied(text: string): boolean {
  return /ACCESS_DENIED|write_discounts|access scope/i.test(text);
}

async function call(graphql: AdminGraphql, query: string, variables: Record<string, unknown>): Promise<GraphqlAnswer> {
  let answer: GraphqlAnswer;
  try {
    const response = await graphql(query, { variables });
    answer = (await response.json()) as GraphqlAnswer;
  } catch (error) {
    // shopify-app-remix's client throws on GraphQL errors; its message or body names the missing scope.
    const text =
      error instanceof Error
        ? `${error.message} ${JSON.stringify((error as { body?: unknown }).body ?? "")}`
        : String(error);
    if (isAccessDenied(text)) throw new DiscountCodeError(MISSING_DISCOUNT_SCOPE_MESSAGE);
    if (error instanceof Response) throw new Error(`Shopify answered HTTP ${error.status}`);
    throw error;
  }
  if (answer.errors) {
    const text = typeof answer.errors === "string" ? answer.errors : JSON.stringify(answer.errors);
    if (isAccessDenied(text)) throw new DiscountCodeError(MISSING_DISCOUNT_SCOPE_MESSAGE);
    if (!answer.data) throw new Error(`Shopify refused the request: ${text}`);
  }
  return answer;
}

/** Whether the shop's discount is the one `spec` describes (a retry, or a code adopted after a lost answer). */
export function isSameDiscount(node: unknown, spec: DiscountSpec): boolean {
  const discount = (node as { codeDiscount?: Record<string, unknown> } | null)?.codeDiscount;
  if (discount?.__typename !== "DiscountCodeBasic") return false;
  const value = (discount.customerGets as { value?: Record<string, unknown> } | undefined)?.value;
  if (!value) return false;
  if (spec.type === "percentage")
    return value.__typename === "DiscountPercentage" && Math.abs(Number(value.percentage) - spec.value / 10_000) < 1e-9;
  const amount = (value.amount as { amount?: string; currencyCode?: string } | undefined) ?? {};
  return (
    value.__typename === "DiscountAmount" &&
    amount.currencyCode === spec.currency &&
    Number(amount.amount) === Number(formatMinorUnits(spec.value, spec.currency))
  );
}

function describe(errors: UserError[]): string {
  return errors.map((e) => e.message).join("; ");
}

export function shopifyDiscountGateway(
  graphql: AdminGraphql,
  now: () => Date = () => new Date(),
): StoreDiscountGateway {
  async function toggle(id: string, active: boolean) {
    const field = active ? "discountCodeActivate" : "discountCodeDeactivate";
    const answer = await call(graphql, active ? DISCOUNT_CODE_ACTIVATE : DISCOUNT_CODE_DEACTIVATE, { id });
    const errors = answer.data?.[field]?.userErrors ?? [];
    if (errors.length > 0)
      throw new DiscountCodeError(`Shopify did not turn the code ${active ? "on" : "off"}: ${describe(errors)}`);
  }
  return {
    async create(spec) {
      const answer = await call(graphql, DISCOUNT_CODE_BASIC_CREATE, {
        basicCodeDiscount: discountCodeBasicInput(spec, now()),
      });
      const payload = answer.data?.discountCodeBasicCreate;
      const errors = payload?.userErrors ?? [];
      if (errors.length === 0 && payload?.codeDiscountNode) return { externalId: payload.codeDiscountNode.id };
      if (!errors.some((e) => e.code === "TAKEN"))
        throw new DiscountCodeError(`Shopify refused the code ${spec.code}: ${describe(errors) || "no reason given"}`);
      const found = await call(graphql, DISCOUNT_CODE_BY_CODE, { code: spec.code });
      const node = (found.data as Record<string, unknown> | null | undefined)?.codeDiscountNodeByCode as
        | { id: string }
        | null
        | undefined;
      if (node && isSameDiscount(node, spec)) return { externalId: node.id };
      const suggestion = `${spec.code}${Math.floor(10 + Math.random() * 90)}`;
      throw new DiscountCodeError(
        `The code ${spec.code} already exists in your shop with another discount. Delete or rename it there, or give the creator another code such as ${suggestion}.`,
        suggestion,
      );
    },
    async setActive(externalId, active) {
      await toggle(externalId, active);
    },
  };
}

/** The Admin API version of calls made outside a request (the toml's webhooks api_version, API_VERSION in the app). */
export const ADMIN_API_VERSION = "2026-07";

/** Admin GraphQL with a shop's offline access token, for work outside an admin request (auto-approval). */
export function tokenAdminGraphql(
  shop: string,
  accessToken: string,
  options: { fetch?: typeof fetch; apiVersion?: string } = {},
): AdminGraphql {
  const doFetch = options.fetch ?? fetch;
  const url = `https://${shop}/admin/api/${options.apiVersion ?? ADMIN_API_VERSION}/graphql.json`;
  return (query, init) =>
    doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": accessToken },
      body: JSON.stringify({ query, variables: init?.variables ?? {} }),
    });
}

/** A gateway that refuses every call with the ask for the missing scope (a session without write_discounts). */
export function missingScopeGateway(): StoreDiscountGateway {
  const refuse = async (): Promise<never> => {
    throw new DiscountCodeError(MISSING_DISCOUNT_SCOPE_MESSAGE);
  };
  return { create: refuse, setActive: refuse };
}
