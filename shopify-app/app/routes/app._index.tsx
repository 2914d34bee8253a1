import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, Page, Text } from "@shopify/polaris";
import { findStoreByDomain } from "../../../core/src/stores/store.ts";
import { getDatabase } from "../db.server.ts";
import { pixelStateOf } from "../pixel.server.ts";
import { authenticate } from "../shopify.server.ts";

// A minimal home: is the web pixel active on this shop, and if not, why (as recorded at install).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const store = await findStoreByDomain(getDatabase().db, "shopify", session.shop);
  return { shop: session.shop, storeId: store?.id ?? null, pixel: store ? pixelStateOf(store.credentials) : null };
};

export default function Index() {
  const { shop, storeId, pixel } = useLoaderData<typeof loader>();
  const active = pixel?.status === "active";
  return (
    <Page title="Trailmark">
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Web pixel{" "}
            <Badge tone={active ? "success" : pixel ? "critical" : "attention"}>
              {active ? "Active" : pixel ? "Not active" : "Setting up"}
            </Badge>
          </Text>
          <Text as="p" variant="bodyMd">
            {active
              ? `Tracking checkouts on ${shop} for store ${storeId}.`
              : pixel?.error
                ? `Last error: ${pixel.error}`
                : "The pixel is being activated as the app is installed; reload this page in a moment."}
          </Text>
          {pixel ? (
            <Text as="p" variant="bodySm" tone="subdued">
              Last checked {new Date(pixel.checkedAt).toUTCString()}
            </Text>
          ) : null}
        </BlockStack>
      </Card>
    </Page>
  );
}
