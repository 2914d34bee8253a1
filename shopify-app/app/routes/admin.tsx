import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { requireStandaloneContext } from "../admin/standalone.server.ts";
import { AdminErrorBoundary } from "../admin/ui/shell.tsx";
import { PolarisStandaloneProvider, StandaloneFrame } from "../admin/ui/standalone-frame.tsx";

// The standalone admin (WooCommerce and custom-site stores): every page under /admin needs an owner session.

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await requireStandaloneContext(request);
  return { base: ctx.base, storeName: ctx.store.name, who: ctx.who, csrfToken: ctx.csrfToken };
};

export default function StandaloneAdmin() {
  const data = useLoaderData<typeof loader>();
  return (
    <PolarisStandaloneProvider>
      <StandaloneFrame {...data}>
        <Outlet />
      </StandaloneFrame>
    </PolarisStandaloneProvider>
  );
}

export function ErrorBoundary() {
  return (
    <PolarisStandaloneProvider>
      <AdminErrorBoundary />
    </PolarisStandaloneProvider>
  );
}
