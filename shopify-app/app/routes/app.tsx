import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { ADMIN_NAV } from "../admin/ui/admin-nav.ts";
import { getEnv } from "../env.server.ts";
import { authenticate } from "../shopify.server.ts";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  // The verified shop: entry.server.tsx lets only it (and Shopify admin) frame the page.
  return { apiKey: getEnv().SHOPIFY_API_KEY, shop: session.shop };
};

export default function App() {
  const { apiKey } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <NavMenu>
        {ADMIN_NAV.map((item) => (
          <Link key={item.path} to={`/app${item.path}`} rel={item.path === "" ? "home" : undefined}>
            {item.label}
          </Link>
        ))}
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// shopify-app-remix throws Responses (re-authorization, exit iframe) whose headers must reach the browser.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
