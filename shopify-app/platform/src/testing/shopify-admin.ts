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
}

export function createShopifyAdminFake(): ShopifyAdminFake {
  return {
    pixel: null,
    userErrors: null,
    failWithStatus: null,
    shop: { name: "Test Shop", currencyCode: "EUR", primaryDomain: { host: "shop.test-brand.example" } },
    calls: [],
    tokenExchanges: 0,
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
        scope: "read_orders,write_pixels,read_customer_events",
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
        default:
          return HttpResponse.json({ errors: [{ message: `unexpected operation ${operation}` }] }, { status: 400 });
      }
    }),
  ];
}
