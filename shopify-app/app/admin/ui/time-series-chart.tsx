import { BlockStack, Box, Button, ButtonGroup, InlineStack, SkeletonBodyText, Text } from "@shopify/polaris";
import { lazy, Suspense, useEffect, useId, useState } from "react";

// One metric at a time, a day per point, drawn by @shopify/polaris-viz in the browser. polaris-viz cannot render
// on the server (it reads `navigator` and measures its container), so the server sends a placeholder of the
// same height and the chart's code is fetched after hydration. The same figures are always in a visually
// hidden table, for screen readers and before the chart has loaded.

const PolarisVizChart = lazy(() => import("./polaris-viz-chart.client.tsx"));

export interface ChartMetric {
  key: string;
  label: string;
  format: (value: number) => string;
  /** Bars suit counts of separate days; a line suits running amounts. */
  kind?: "line" | "bar";
}

export interface TimeSeriesChartProps {
  points: readonly ({ date: string } & Record<string, number | string>)[];
  metrics: readonly ChartMetric[];
  height?: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `2026-03-05` as `Mar 5`: the axis has room for short labels only, and the days are UTC already. */
export function shortDay(day: string): string {
  const match = /^\d{4}-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  return `${MONTHS[Number(match[1]) - 1] ?? match[1]} ${Number(match[2])}`;
}

function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

export function TimeSeriesChart({ points, metrics, height = 240 }: TimeSeriesChartProps) {
  const [selected, setSelected] = useState(metrics[0]?.key ?? "");
  const titleId = useId();
  const hydrated = useHydrated();
  const metric = metrics.find((m) => m.key === selected) ?? metrics[0];
  if (!metric) return null;
  const values = points.map((p) => Number(p[metric.key] ?? 0));
  const placeholder = (
    <div style={{ height, display: "flex", alignItems: "center" }} aria-hidden="true">
      <Box width="100%">
        <SkeletonBodyText lines={4} />
      </Box>
    </div>
  );
  return (
    <BlockStack gap="300">
      <InlineStack align="space-between" blockAlign="center">
        <Text as="h2" variant="headingMd" id={titleId}>
          {metric.label} per day
        </Text>
        <ButtonGroup variant="segmented">
          {metrics.map((m) => (
            <Button key={m.key} pressed={m.key === metric.key} onClick={() => setSelected(m.key)} size="slim">
              {m.label}
            </Button>
          ))}
        </ButtonGroup>
      </InlineStack>
      <section aria-labelledby={titleId} data-testid="time-series-chart" data-metric={metric.key}>
        {hydrated ? (
          <Suspense fallback={placeholder}>
            <PolarisVizChart
              kind={metric.kind ?? "line"}
              name={metric.label}
              points={points.map((p, i) => ({ key: p.date, value: values[i]! }))}
              formatValue={metric.format}
              formatKey={shortDay}
              height={height}
            />
          </Suspense>
        ) : (
          placeholder
        )}
      </section>
      <table style={VISUALLY_HIDDEN}>
        <caption>{metric.label} per day</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">{metric.label}</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p, i) => (
            <tr key={p.date}>
              <td>{p.date}</td>
              <td>{metric.format(values[i]!)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </BlockStack>
  );
}

const VISUALLY_HIDDEN = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;
