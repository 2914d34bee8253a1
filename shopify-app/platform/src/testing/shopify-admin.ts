import { HttpResponse, http } from "msw";

// Shopify's side of the Admin API for MSW: the token exchange behind embedded auth, and the GraphQL endpoint
// answering the operations the app sends (by operation name). The fake holds one shop's web pixel.

export interface UserError {
  code: string | null;
  field: string[] | null;
  message: string;
}

export interface ShopifyAdminFake {
  /** The shop's web pixel record, as Shopify holds it. */
  pixel: { id: string; settings: string } | null;
  /** When set, webPixelCreate and webPixelUpdate answer with these userErrors instead. */
  userErrors: UserError[] | null;
  /** Answer every GraphQL call with this HTTP status (e.g. 500). */
  failWithStatus: number | null;
  shop: { name: string; currencyCode: string; primaryDomain?: { host: string } };
  /** Operation names in the order they arrived, with their variables. */
  calls: { operation: string; variables: Record<string, unknown> }[];
  tokenExchanges: number;
  /** The access scopes the shop granted: discount mutations answer ACCESS_DENIED without write_discounts. */
  scopes: string[];
  /** Basic code discounts by code, as discountCodeBasicCreate stored them. */
  discounts: Map<string, FakeDiscount>;
}

export interface FakeDiscount {
  id: string;
  code: string;
  input: Record<string, unknown>;
  status: "ACTIVE" | "EXPIRED";
}

export function createShopifyAdminFake(): ShopifyAdminFake {
  return {
    pixel: null,
    userErrors: null,
    failWithStatus: null,
    shop: { name: "Test Shop", currencyCode: "EUR", primaryDomain: { host: "shop.test-brand.example" } },
    calls: [],
    tokenExchanges: 0,
    scopes: ["read_orders", "write_pixels", "read_customer_events", "write_discounts"],
    discounts: new Map(),
  };
}

let nextDiscountId = 1_190_000_001;

/** Shopify's answer to a field the token's scopes do not cover (HTTP 200, a top-level error, data null). */
function accessDenied(field: string) {
  return HttpResponse.json({
    errors: [
      {
        message: `Access denied for ${field} field. Required access: \`write_discounts\` access scope.`,
        locations: [{ line: 2, column: 3 }],
        path: [field],
        extensions: {
          code: "ACCESS_DENIED",
          documentation: "https://shopify.dev/api/usage/access-scopes",
          requiredAccess: "`write_discounts` access scope.",
        },
      },
    ],
    data: { [field]: null },
  });
}

/** A DiscountCodeBasic as codeDiscountNodeByCode returns it, from the input it was created with. */
function discountNode(d: FakeDiscount) {
  const gets = d.input.customerGets as { value: { percentage?: number; discountAmount?: { amount: string } } };
  const value =
    gets.value.percentage !== undefined
      ? { __typename: "DiscountPercentage", percentage: gets.value.percentage }
      : { __typename: "DiscountAmount", amount: { amount: gets.value.discountAmount?.amount, currencyCode: "EUR" } };
  return {
    id: d.id,
    codeDiscount: {
      __typename: "DiscountCodeBasic",
      title: d.input.title,
      appliesOncePerCustomer: d.input.appliesOncePerCustomer,
      customerGets: { value },
    },
  };
}

interface GraphqlBody {
  query: string;
  variables?: Record<string, unknown>;
}

function operationName(query: string): string {
  return /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "anonymous";
}

export function shopifyAdminHandlers(fake: ShopifyAdminFake) {
  return [
    http.post("https://:shop/admin/oauth/access_token", async ({ request }) => {
      const grant = ((await request.json()) as { grant_type?: string }).grant_type;
      // After an uninstall Shopify has revoked the shop's tokens, refresh token included.
      if (grant === "refresh_token") {
        return HttpResponse.json(
          { error: "invalid_request", error_description: "This refresh token is revoked" },
          { status: 400 },
        );
      }
      fake.tokenExchanges++;
      return HttpResponse.json({
        access_token: "shpat_test_offline_token",
        scope: fake.scopes.join(","),
        expires_in: 3600,
        refresh_token: "shprt_test_refresh_token",
        refresh_token_expires_in: 7_776_000,
      });
    }),
    http.post("https://:shop/admin/api/:version/graphql.json", async ({ request }) => {
      const body = (await request.json()) as GraphqlBody;
      const operation = operationName(body.query);
      fake.calls.push({ operation, variables: body.variables ?? {} });
      if (fake.failWithStatus) return HttpResponse.json({ errors: "Internal error" }, { status: fake.failWithStatus });
      const webPixel = body.variables?.webPixel as { settings: string } | undefined;
      switch (operation) {
        case "trailmarkShop":
          return HttpResponse.json({ data: { shop: fake.shop } });
        case "trailmarkWebPixel":
          return HttpResponse.json(
            fake.pixel
              ? { data: { webPixel: fake.pixel } }
              : {
                  data: { webPixel: null },
                  errors: [{ message: "No web pixel was found for this app.", path: ["webPixel"] }],
                },
          );
        case "trailmarkWebPixelCreate": {
          if (fake.userErrors)
            return HttpResponse.json({ data: { webPixelCreate: { userErrors: fake.userErrors, webPixel: null } } });
          if (fake.pixel) {
            const taken = { code: "TAKEN", field: ["webPixel"], message: "Web pixel is taken." };
            return HttpResponse.json({ data: { webPixelCreate: { userErrors: [taken], webPixel: null } } });
          }
          fake.pixel = { id: "gid://shopify/WebPixel/7700112233", settings: webPixel?.settings ?? "{}" };
          return HttpResponse.json({ data: { webPixelCreate: { userErrors: [], webPixel: fake.pixel } } });
        }
        case "trailmarkWebPixelUpdate": {
          if (fake.userErrors)
            return HttpResponse.json({ data: { webPixelUpdate: { userErrors: fake.userErrors, webPixel: null } } });
          if (!fake.pixel || fake.pixel.id !== body.variables?.id) {
            const missing = { code: "NOT_FOUND", field: ["id"], message: "Web pixel not found." };
            return HttpResponse.json({ data: { webPixelUpdate: { userErrors: [missing], webPixel: null } } });
          }
          fake.pixel = { ...fake.pixel, settings: webPixel?.settings ?? "{}" };
          return HttpResponse.json({ data: { webPixelUpdate: { userErrors: [], webPixel: fake.pixel } } });
        }
        case "trailmarkDiscountCodeBasicCreate": {
          if (!fake.scopes.includes("write_discounts")) return accessDenied("discountCodeBasicCreate");
          const input = body.variables?.basicCodeDiscount as Record<string, unknown>;
          const code = String(input.code ?? "");
          if ([...fake.discounts.keys()].some((c) => c.toUpperCase() === code.toUpperCase())) {
            const taken = {
              field: ["basicCodeDiscount", "code"],
              code: "TAKEN",
              message: "Code must be unique. Please try a different code.",
            };
            return HttpResponse.json({
              data: { discountCodeBasicCreate: { codeDiscountNode: null, userErrors: [taken] } },
            });
          }
          const discount: FakeDiscount = {
            id: `gid://shopify/DiscountCodeNode/${nextDiscountId++}`,
            code,
            input,
            status: "ACTIVE",
          };
          fake.discounts.set(code, discount);
          return HttpResponse.json({
            data: { discountCodeBasicCreate: { codeDiscountNode: { id: discount.id }, userErrors: [] } },
          });
        }
        case "trailmarkDiscountCodeByCode": {
          const code = String(body.variables?.code ?? "").toUpperCase();
          const found = [...fake.discounts.values()].find((d) => d.code.toUpperCase() === code);
          return HttpResponse.json({ data: { codeDiscountNodeByCode: found ? discountNode(found) : null } });
        }
        case "trailmarkDiscountCodeDeactivate":
        case "trailmarkDiscountCodeActivate": {
          const field =
            operation === "trailmarkDiscountCodeActivate" ? "discountCodeActivate" : "discountCodeDeactivate";
          if (!fake.scopes.includes("write_discounts")) return accessDenied(field);
          const found = [...fake.discounts.values()].find((d) => d.id === body.variables?.id);
          if (!found) {
            const missing = { field: ["id"], code: "INVALID", message: "Discount does not exist" };
            return HttpResponse.json({ data: { [field]: { codeDiscountNode: null, userErrors: [missing] } } });
          }
          found.status = field === "discountCodeActivate" ? "ACTIVE" : "EXPIRED";
          return HttpResponse.json({ data: { [field]: { codeDiscountNode: { id: found.id }, userErrors: [] } } });
        }
        default:
          return HttpResponse.json({ errors: [{ message: `unexpected operation ${operation}` }] }, { status: 400 });
      }
    }),
  ];
}
