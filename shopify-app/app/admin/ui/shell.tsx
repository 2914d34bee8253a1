import { Form, isRouteErrorResponse, useNavigation, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { SelectInput, TextInput } from "./fields.tsx";

// What every admin page shares: where links go (/app or /admin), the CSRF token, the navigation progress bar,
// the error boundary, and the date-range filter.

export interface Shell {
  mode: "embedded" | "standalone";
  base: string;
  csrfToken: string | null;
  storeName: string;
  currency: string;
  platform: string;
}

/** A thin bar while a page loads or a form is sent. */
export function NavigationProgress() {
  const navigation = useNavigation();
  if (navigation.state === "idle") return null;
  return (
    <div style={{ position: "fixed", top: 0, left: 0, right: 0, zIndex: 1000 }} role="status" aria-label="Loading">
      <ProgressBar progress={navigation.state === "submitting" ? 40 : 75} size="small" animated />
    </div>
  );
}

function errorMessage(error: unknown): { title: string; message: string } {
  if (isRouteErrorResponse(error)) {
    const payload = error.data as { error?: { message?: string } } | string | null;
    const message =
      typeof payload === "object" && payload?.error?.message ? payload.error.message : error.statusText || "";
    if (error.status === 404) return { title: "Not found", message: message || "This page does not exist." };
    if (error.status === 403) return { title: "Not allowed", message };
    return { title: `Something went wrong (${error.status})`, message };
  }
  return { title: "Something went wrong", message: "Reload the page; if it keeps happening, check the server log." };
}

/** The pages' error state: a critical banner in the page, with a way back. */
export function AdminErrorBoundary() {
  const error = useRouteError();
  // Shopify's own responses (re-authentication, leaving the iframe) are HTML for the app layout's boundary.
  if (isRouteErrorResponse(error) && typeof error.data === "string" && error.status < 400) throw error;
  const { title, message } = errorMessage(error);
  return (
    <Page title={title}>
      <Layout>
        <Layout.Section>
          <Banner tone="critical" title={title}>
            <p>{message}</p>
          </Banner>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function DateRangeFilter({
  fromDay,
  toDay,
  campaigns,
  campaignId,
  children,
}: {
  fromDay: string;
  toDay: string;
  campaigns?: { id: string; name: string }[];
  campaignId?: string | null;
  children?: ReactNode;
}) {
  return (
    <Card>
      <Form method="get">
        <InlineStack gap="300" blockAlign="end" wrap>
          <Box minWidth="160px">
            <TextInput name="from" label="From" type="date" defaultValue={fromDay} />
          </Box>
          <Box minWidth="160px">
            <TextInput name="to" label="To" type="date" defaultValue={toDay} />
          </Box>
          {campaigns ? (
            <Box minWidth="200px">
              <SelectInput
                name="campaignId"
                label="Campaign"
                defaultValue={campaignId ?? ""}
                options={[
                  { label: "All campaigns", value: "" },
                  ...campaigns.map((c) => ({ label: c.name, value: c.id })),
                ]}
              />
            </Box>
          ) : null}
          {children}
          <Button submit>Apply</Button>
        </InlineStack>
      </Form>
    </Card>
  );
}

export function SectionHeading({ children, aside }: { children: ReactNode; aside?: ReactNode }) {
  return (
    <InlineStack align="space-between" blockAlign="center">
      <Text as="h2" variant="headingMd">
        {children}
      </Text>
      {aside}
    </InlineStack>
  );
}

export function ResultBanner({ result }: { result: { ok: boolean; message?: string | null } | null | undefined }) {
  if (!result?.message) return null;
  return (
    <Banner tone={result.ok ? "success" : "critical"}>
      <p>{result.message}</p>
    </Banner>
  );
}

export function Stack({ children }: { children: ReactNode }) {
  return <BlockStack gap="400">{children}</BlockStack>;
}

// A neutral illustration for empty states, inline so that no page depends on an external image host.
export const EMPTY_IMAGE = `data:image/svg+xml;utf8,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160"><rect x="23" y="30" width="180" height="110" rx="12" fill="#f1f1f1"/><rect x="43" y="52" width="90" height="10" rx="5" fill="#d4d4d4"/><rect x="43" y="74" width="140" height="8" rx="4" fill="#e3e3e3"/><rect x="43" y="92" width="120" height="8" rx="4" fill="#e3e3e3"/><circle cx="170" cy="57" r="14" fill="#b5d7ff"/></svg>',
)}`;
