import { useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, DataTable, EmptyState, Page, Text } from "@shopify/polaris";
import { formatDateTime, formatNumber } from "../ui/format.ts";
import { EMPTY_IMAGE, NavigationProgress, type Shell } from "../ui/shell.tsx";
import type { dataRequestsLoader } from "./data-requests.server.ts";

function DownloadButton({ shell, id }: { shell: Shell; id: string }) {
  const url = `${shell.base}/data-requests/${encodeURIComponent(id)}`;
  if (shell.mode === "standalone") {
    return (
      <Button url={url} download size="slim">
        Download
      </Button>
    );
  }
  // Embedded: App Bridge adds the session token to fetch; a plain link would carry none.
  const download = async () => {
    const response = await fetch(url);
    const blob = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = blob;
    a.download =
      /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "data-request.json";
    a.click();
    URL.revokeObjectURL(blob);
  };
  return (
    <Button onClick={() => void download()} size="slim">
      Download
    </Button>
  );
}

export function DataRequestsPage() {
  const { shell, requests } = useLoaderData<typeof dataRequestsLoader>();
  return (
    <Page
      title="Customer data requests"
      subtitle="When a customer asks your store for their data, what Trailmark holds about them is here to download and send them."
    >
      <NavigationProgress />
      <BlockStack gap="400">
        {requests.length === 0 ? (
          <Card>
            <EmptyState heading="No data requests" image={EMPTY_IMAGE}>
              <p>
                Requests a customer makes through your store (Shopify sends them to every app) appear here with the data
                to give them.
              </p>
            </EmptyState>
          </Card>
        ) : (
          <Card padding="0">
            <DataTable
              columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "text"]}
              headings={["Received", "Request", "Orders", "Events", "Browsers", ""]}
              rows={requests.map((r) => [
                formatDateTime(r.receivedAt),
                r.requestId,
                formatNumber(r.held.orders),
                formatNumber(r.held.events),
                formatNumber(r.held.visitors),
                <DownloadButton key={r.id} shell={shell} id={r.id} />,
              ])}
            />
          </Card>
        )}
        <Text as="p" tone="subdued">
          The download is built from what is stored when you download it. Trailmark keeps no names, addresses or phone
          numbers; orders carry only a hash of the customer's email. Once a customer's data is erased, their request is
          removed.
        </Text>
      </BlockStack>
    </Page>
  );
}
