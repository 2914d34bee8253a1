import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form } from "@remix-run/react";

// The app's front door outside the Shopify admin: a request carrying ?shop= goes to the embedded app, anyone
// else may type their shop's domain to log in.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
};

export default function Index() {
  return (
    <main style={{ fontFamily: "Inter, system-ui, sans-serif", maxWidth: 480, margin: "4rem auto", padding: "0 1rem" }}>
      <h1>Trailmark</h1>
      <p>Conversion tracking and pay-per-result for influencer marketing.</p>
      <Form method="post" action="/auth/login">
        <label>
          Shop domain <input type="text" name="shop" placeholder="my-shop.myshopify.com" />
        </label>{" "}
        <button type="submit">Log in</button>
      </Form>
    </main>
  );
}
