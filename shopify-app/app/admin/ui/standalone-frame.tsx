import { Form, Link as RemixLink, useLocation } from "@remix-run/react";
import { AppProvider, Button, Frame, Navigation, TopBar } from "@shopify/polaris";
import type { LinkLikeComponentProps } from "@shopify/polaris/build/ts/src/utilities/link";
import en from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";
import { CsrfField } from "./fields.tsx";

// The standalone admin's chrome: Polaris' own frame (what the Shopify admin draws around an embedded app),
// with the same pages in its navigation.

export const ADMIN_NAV = [
  { path: "", label: "Overview" },
  { path: "/campaigns", label: "Campaigns" },
  { path: "/creators", label: "Creators" },
  { path: "/conversions", label: "Conversions" },
  { path: "/models", label: "Model comparison" },
  { path: "/data-requests", label: "Data requests" },
  { path: "/settings", label: "Settings" },
] as const;

function AdminLink({ url, children, external, ...rest }: LinkLikeComponentProps) {
  // A download (the CSV export) is a resource route: the browser fetches it, not the router.
  if ("download" in rest && rest.download) {
    return (
      <a href={url} {...rest}>
        {children}
      </a>
    );
  }
  if (external || /^https?:/.test(url)) {
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" {...rest}>
        {children}
      </a>
    );
  }
  return (
    <RemixLink to={url} {...rest}>
      {children}
    </RemixLink>
  );
}

export function PolarisStandaloneProvider({ children }: { children: ReactNode }) {
  return (
    <AppProvider i18n={en} linkComponent={AdminLink}>
      {children}
    </AppProvider>
  );
}

export function StandaloneFrame({
  base,
  storeName,
  who,
  csrfToken,
  children,
}: {
  base: string;
  storeName: string;
  who: string;
  csrfToken: string | null;
  children: ReactNode;
}) {
  const { pathname } = useLocation();
  const topBar = (
    <TopBar
      secondaryMenu={
        <Form method="post" action="/admin/logout" style={{ display: "flex", gap: 12, alignItems: "center" }}>
          <CsrfField token={csrfToken} />
          <span style={{ color: "#e3e3e3", fontSize: 13 }}>{who}</span>
          <Button submit size="slim">
            Sign out
          </Button>
        </Form>
      }
    />
  );
  const navigation = (
    <Navigation location={pathname}>
      <Navigation.Section
        title={storeName}
        items={ADMIN_NAV.map((item) => ({
          url: `${base}${item.path}`,
          label: item.label,
          exactMatch: item.path === "",
          selected: item.path === "" ? pathname === base : pathname.startsWith(`${base}${item.path}`),
        }))}
      />
    </Navigation>
  );
  return (
    <Frame
      topBar={topBar}
      navigation={navigation}
      logo={{ topBarSource: LOGO, width: 120, accessibilityLabel: "Trailmark", url: base }}
    >
      {children}
    </Frame>
  );
}

const LOGO = `data:image/svg+xml;utf8,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="28" viewBox="0 0 120 28"><circle cx="12" cy="14" r="8" fill="#005bd3"/><text x="26" y="19" font-family="Inter,Arial,sans-serif" font-size="15" font-weight="600" fill="#f1f1f1">Trailmark</text></svg>',
)}`;
