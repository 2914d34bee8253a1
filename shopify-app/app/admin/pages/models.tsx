import { useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, DataTable, EmptyState, InlineStack, Page, Text } from "@shopify/polaris";
import type { ModelFigures } from "@trailmark/core/browser";
import { displayMoney } from "@trailmark/core/browser";
import { formatNumber, MODEL_LABELS } from "../ui/format.ts";
import { DateRangeFilter, EMPTY_IMAGE, NavigationProgress } from "../ui/shell.tsx";
import type { modelsLoader } from "./models.server.ts";

function Figures({ figures, currency }: { figures: ModelFigures; currency: string }) {
  return (
    <BlockStack gap="050" inlineAlign="end">
      <Text as="span">{displayMoney(figures.credit, currency)}</Text>
      <Text as="span" variant="bodySm" tone="subdued">
        {displayMoney(figures.commission, currency)} commission
      </Text>
    </BlockStack>
  );
}

export function ModelsPage() {
  const data = useLoaderData<typeof modelsLoader>();
  const { comparison: c, shell } = data;
  const current = new Set(c.campaigns.map((x) => x.model));
  const heading = (model: string) =>
    `${MODEL_LABELS[model] ?? model}${current.has(model as never) && c.campaigns.length === 1 ? " (current)" : ""}`;
  return (
    <Page
      title="Model comparison"
      subtitle="The same conversions under each attribution model: what choosing a model changes, before you choose it."
    >
      <NavigationProgress />
      <BlockStack gap="400">
        <DateRangeFilter
          fromDay={data.range.fromDay}
          toDay={data.range.toDay}
          campaigns={data.campaigns}
          campaignId={data.campaignId}
        />
        {c.compared === 0 ? (
          <Card>
            <EmptyState heading="Nothing to compare yet" image={EMPTY_IMAGE}>
              <p>Once creators bring in orders or sign-ups, this shows how each model would share the credit.</p>
            </EmptyState>
          </Card>
        ) : (
          <>
            <Card>
              <BlockStack gap="200">
                <InlineStack gap="200" wrap>
                  {c.campaigns.map((campaign) => (
                    <Badge
                      key={campaign.id}
                      tone="info"
                    >{`${campaign.name}: ${MODEL_LABELS[campaign.model] ?? campaign.model}`}</Badge>
                  ))}
                </InlineStack>
                <Text as="p" tone="subdued">
                  {formatNumber(c.compared)} conversions, credit as order value before refunds, commission before budget
                  caps and refunds. Cancelled orders and shares a rule rejects count under no model.
                </Text>
              </BlockStack>
            </Card>
            {c.truncated || c.otherCurrency > 0 ? (
              <Banner tone="info">
                <p>
                  {c.truncated
                    ? `The ${formatNumber(c.compared)} most recent conversions of the range are compared; older ones are not. `
                    : ""}
                  {c.otherCurrency > 0
                    ? `${formatNumber(c.otherCurrency)} conversions in another currency than ${c.currency} are left out.`
                    : ""}
                </p>
              </Banner>
            ) : null}
            <Card padding="0">
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Creator", ...c.models.map(heading)]}
                totals={["", ...c.models.map((m) => <Figures key={m} figures={c.totals[m]} currency={c.currency} />)]}
                showTotalsInFooter
                rows={c.creators.map((row) => [
                  row.name,
                  ...c.models.map((m) => <Figures key={m} figures={row.byModel[m]} currency={c.currency} />),
                ])}
              />
            </Card>
          </>
        )}
        <Text as="p" variant="bodySm" tone="subdued">
          Amounts in {c.currency} · {shell.storeName}
        </Text>
      </BlockStack>
    </Page>
  );
}
