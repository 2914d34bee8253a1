import type { MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError } from "@remix-run/react";
import type { ReactNode } from "react";
import { pageTitle } from "./admin/ui/titles.ts";

// One <title> rule for every page (no route exports meta of its own), so a tab or a bookmark names its page.
export const meta: MetaFunction = ({ location }) => [{ title: pageTitle(location.pathname) }];

function Document({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <link rel="stylesheet" href="https://cdn.shopify.com/static/fonts/inter/v4/styles.css" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return (
    <Document>
      <Outlet />
    </Document>
  );
}

// An unknown URL gets a plain page; anything else was already logged by handleError in entry.server.tsx.
export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : "Something went wrong";
  return (
    <Document>
      <main
        style={{ fontFamily: "Inter, system-ui, sans-serif", maxWidth: 480, margin: "4rem auto", padding: "0 1rem" }}
      >
        <h1>{title}</h1>
      </main>
    </Document>
  );
}
