import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  DataTable,
  EmptyState,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import { displayMoney } from "@trailmark/core/browser";
import { formatNumber, formatPercent, formatRatio } from "../ui/format.ts";
import { DateRangeFilter, EMPTY_IMAGE, NavigationProgress } from "../ui/shell.tsx";
import { TimeSeriesChart } from "../ui/time-series-chart.tsx";
import type { overviewLoader } from "./overview.server.ts";

function Metric({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="bodyMd" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        {note ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {note}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function TrackingNotice({ data }: { data: ReturnType<typeof useLoaderData<typeof overviewLoader>> }) {
  const { tracking, shell } = data;
  const label = tracking.kind === "web_pixel" ? "Web pixel" : "Site script";
  const settings = `${shell.base}/settings`;
  if (tracking.state === "active") {
    return (
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" variant="bodySm" tone="subdued">
          {label}
        </Text>
        <Badge tone="success">Active</Badge>
      </InlineStack>
    );
  }
  if (tracking.state === "error") {
    return (
      <Banner tone="critical" title={`${label}: Not active`} action={{ content: "Repair in Settings", url: settings }}>
        <p>{tracking.error}</p>
      </Banner>
    );
  }
  return (
    <Banner
      tone="warning"
      title={`${label}: ${tracking.state === "silent" ? "no visits lately" : "Setting up"}`}
      action={{ content: "Open Settings", url: settings }}
    >
      <p>
        {tracking.kind === "web_pixel"
          ? "The pixel is being activated as the app is installed; reload this page in a moment."
          : "No storefront visit has reached Trailmark recently. Check that the site script is on every page."}
      </p>
    </Banner>
  );
}

export function OverviewPage() {
  const data = useLoaderData<typeof overviewLoader>();
  const { overview: o, shell } = data;
  const money = (m: number) => displayMoney(m, o.currency);
  const nothing = o.clicks.raw === 0 && o.purchases === 0 && o.signUps === 0;
  return (
    <Page title="Overview" subtitle={`${shell.storeName} · ${data.range.fromDay} to ${data.range.toDay} (UTC)`}>
      <NavigationProgress />
      <BlockStack gap="400">
        <TrackingNotice data={data} />
        <DateRangeFilter
          fromDay={data.range.fromDay}
          toDay={data.range.toDay}
          campaigns={data.campaigns}
          campaignId={data.campaignId}
        />
        {nothing ? (
          <Card>
            <EmptyState
              heading={data.campaigns.length === 0 ? "Start your first campaign" : "No results in these dates"}
              image={EMPTY_IMAGE}
              action={
                data.campaigns.length === 0
                  ? { content: "Create a campaign", url: `${shell.base}/campaigns/new` }
                  : { content: "See creators and links", url: `${shell.base}/creators` }
              }
            >
              <p>
                {data.campaigns.length === 0
                  ? "Give each creator a tracking link or a discount code; clicks, sign-ups and orders appear here."
                  : "Nothing was clicked or converted in this range. Try a wider range or share the creators' links."}
              </p>
            </EmptyState>
          </Card>
        ) : (
          <>
            <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
              <Metric
                label="Qualified clicks"
                value={formatNumber(o.clicks.qualified)}
                note={`${formatNumber(o.clicks.raw)} raw · ${formatNumber(o.clicks.repeat)} repeats · ${formatNumber(o.clicks.bot)} bots`}
              />
              <Metric label="Sign-ups" value={formatNumber(o.signUps)} />
              <Metric
                label="Purchases"
                value={formatNumber(o.purchases)}
                note={`${formatNumber(o.refunded)} refunded in full · ${formatNumber(o.cancelled)} cancelled, not counted`}
              />
              <Metric label="Conversion rate" value={formatPercent(o.conversionRate)} note="of qualified clicks" />
            </InlineGrid>
            {o.money.map((m) => {
              // One row per currency: amounts in different currencies are never added.
              const inCurrency = (n: number) => displayMoney(n, m.currency);
              return (
                <BlockStack gap="200" key={m.currency}>
                  {o.money.length > 1 ? (
                    <Text as="h2" variant="headingSm">
                      In {m.currency}
                    </Text>
                  ) : null}
                  <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
                    <Metric label="Attributed revenue" value={inCurrency(m.revenue)} note="net of refunds" />
                    <Metric
                      label="Commissions"
                      value={inCurrency(m.spend)}
                      note={`${inCurrency(m.commissions.pending)} pending · ${inCurrency(m.commissions.approved)} approved · ${inCurrency(m.commissions.paid)} paid`}
                    />
                    <Metric label="Return on spend" value={formatRatio(m.returnOnSpend)} note="revenue ÷ commissions" />
                    <Metric
                      label="Not paid"
                      value={inCurrency(m.commissions.rejected + m.commissions.over_budget + m.commissions.reversed)}
                      note={`${inCurrency(m.commissions.rejected)} rejected · ${inCurrency(m.commissions.over_budget)} over budget · ${inCurrency(m.commissions.reversed)} reversed`}
                    />
                  </InlineGrid>
                </BlockStack>
              );
            })}
            <Card>
              <TimeSeriesChart
                points={o.series}
                metrics={[
                  { key: "revenue", label: "Attributed revenue", format: money },
                  { key: "qualifiedClicks", label: "Qualified clicks", format: formatNumber },
                  { key: "conversions", label: "Conversions", format: formatNumber, kind: "bar" },
                  { key: "commissions", label: "Commissions", format: money },
                ]}
              />
            </Card>
            <Card padding="0">
              <BlockStack gap="200">
                <div style={{ padding: "16px 16px 0" }}>
                  <Text as="h2" variant="headingMd">
                    Creators by attributed revenue
                  </Text>
                </div>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                  headings={[
                    "Creator",
                    "Qualified clicks",
                    "Sign-ups",
                    "Purchases",
                    "Conversion rate",
                    "Revenue",
                    "Commissions",
                  ]}
                  rows={o.creators.map((c) => [
                    <Link key={c.creatorId} url={`${shell.base}/creators/${c.creatorId}`} removeUnderline>
                      {c.name}
                    </Link>,
                    `${formatNumber(c.qualifiedClicks)} (${formatNumber(c.rawClicks)} raw)`,
                    formatNumber(c.signUps),
                    formatNumber(c.purchases),
                    formatPercent(c.conversionRate),
                    c.money.map((m) => displayMoney(m.revenue, m.currency)).join(" · "),
                    c.money.map((m) => displayMoney(m.commissions, m.currency)).join(" · "),
                  ])}
                />
              </BlockStack>
            </Card>
          </>
        )}
        <Layout>
          <Layout.Section>
            <Text as="p" variant="bodySm" tone="subdued">
              Store {data.storeId} · the chart's amounts are in {o.currency}; days are UTC.
            </Text>
          </Layout.Section>
        </Layout>
      </BlockStack>
    </Page>
  );
}
