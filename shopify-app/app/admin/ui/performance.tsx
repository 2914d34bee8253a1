import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import type { Overview } from "@trailmark/core/browser";
import { displayMoney } from "@trailmark/core/browser";
import { formatNumber, formatPercent } from "./format.ts";
import { DateRangeFilter } from "./shell.tsx";
import { TimeSeriesChart } from "./time-series-chart.tsx";

// A campaign's or a creator's results in a date range: the Overview's figures (core/src/admin/overview.ts, the
// definitions of core/src/metrics) scoped to the one campaign or creator, with the Overview's range picker and
// daily chart. Money is per currency, never added across currencies.

type Figures = Pick<
  Overview,
  "currency" | "clicks" | "signUps" | "purchases" | "refunded" | "cancelled" | "conversionRate"
> & {
  money: { currency: string; revenue: number; commissions: Record<string, number> }[];
  series: ({ date: string } & Record<string, number | string>)[];
};

export function Performance({ figures: o, range }: { figures: Figures; range: { fromDay: string; toDay: string } }) {
  const money = (m: number) => displayMoney(m, o.currency);
  return (
    <BlockStack gap="400">
      <DateRangeFilter fromDay={range.fromDay} toDay={range.toDay} />
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Results, {range.fromDay} to {range.toDay} (UTC)
          </Text>
          <Text as="p">
            <span data-testid="performance-counts">
              {`${formatNumber(o.clicks.qualified)} qualified clicks (${formatNumber(o.clicks.raw)} raw) · ${formatNumber(o.signUps)} sign-ups · ${formatNumber(o.purchases)} purchases · ${formatNumber(o.refunded)} refunded in full · ${formatNumber(o.cancelled)} cancelled · ${formatPercent(o.conversionRate)} conversion rate`}
            </span>
          </Text>
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
            headings={["Currency", "Revenue", "Pending", "Approved", "Paid", "Reversed", "Rejected", "Over budget"]}
            rows={o.money.map((m) => [
              m.currency,
              ...[
                m.revenue,
                m.commissions.pending ?? 0,
                m.commissions.approved ?? 0,
                m.commissions.paid ?? 0,
                m.commissions.reversed ?? 0,
                m.commissions.rejected ?? 0,
                m.commissions.over_budget ?? 0,
              ].map((n) => displayMoney(n, m.currency)),
            ])}
          />
          <Text as="p" variant="bodySm" tone="subdued">
            Revenue is net of refunds; commissions by status, reversed being what refunds and cancels took back.
          </Text>
        </BlockStack>
      </Card>
      <Card>
        <TimeSeriesChart
          points={o.series}
          metrics={[
            { key: "revenue", label: `Attributed revenue (${o.currency})`, format: money },
            { key: "qualifiedClicks", label: "Qualified clicks", format: formatNumber },
            { key: "conversions", label: "Conversions", format: formatNumber, kind: "bar" },
            { key: "commissions", label: `Commissions (${o.currency})`, format: money },
          ]}
        />
      </Card>
    </BlockStack>
  );
}
