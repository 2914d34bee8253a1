import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form } from "@remix-run/react";

// The front door outside the Shopify admin: a request carrying ?shop= goes to the embedded app. Anyone else is
// told where each kind of user goes: merchants of other stores to the standalone admin, creators to their
// portal, and Shopify merchants to install (or open) the app from their shop.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
};

const SECTION = { margin: "2rem 0" } as const;

export default function Index() {
  return (
    <main style={{ fontFamily: "Inter, system-ui, sans-serif", maxWidth: 560, margin: "4rem auto", padding: "0 1rem" }}>
      <h1>Trailmark</h1>
      <p>Conversion tracking and pay-per-result for influencer marketing.</p>
      <section style={SECTION} aria-labelledby="merchants">
        <h2 id="merchants">Merchants</h2>
        <p>
          WooCommerce and other stores: <a href="/admin">sign in to the admin</a>.
        </p>
        <p>
          Shopify stores run Trailmark inside the Shopify admin: install the app from its listing, or open it from your
          shop's Apps page. To sign in from here, type your shop's domain.
        </p>
        <Form method="post" action="/auth/login">
          <label>
            Shop domain <input type="text" name="shop" placeholder="my-shop.myshopify.com" />
          </label>{" "}
          <button type="submit">Open in Shopify</button>
        </Form>
      </section>
      <section style={SECTION} aria-labelledby="creators">
        <h2 id="creators">Creators</h2>
        <p>
          See your links, codes, conversions and payouts in the <a href="/portal">creator portal</a>.
        </p>
      </section>
    </main>
  );
}
