import { BlockStack, Box, Button, ButtonGroup, InlineStack, Text } from "@shopify/polaris";
import { useId, useState } from "react";

// A small dependency-free line chart (the app does not ship @shopify/polaris-viz): one metric at a time, a
// day per point, the peak labelled, and the same figures as a visually hidden table for screen readers.

export interface ChartMetric {
  key: string;
  label: string;
  format: (value: number) => string;
}

export interface TimeSeriesChartProps {
  points: readonly ({ date: string } & Record<string, number | string>)[];
  metrics: readonly ChartMetric[];
  height?: number;
}

const WIDTH = 960;

export function TimeSeriesChart({ points, metrics, height = 240 }: TimeSeriesChartProps) {
  const [selected, setSelected] = useState(metrics[0]?.key ?? "");
  const titleId = useId();
  const metric = metrics.find((m) => m.key === selected) ?? metrics[0];
  if (!metric) return null;
  const values = points.map((p) => Number(p[metric.key] ?? 0));
  const max = Math.max(1, ...values);
  const pad = { top: 16, right: 16, bottom: 28, left: 16 };
  const innerW = WIDTH - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const x = (i: number) => pad.left + (values.length <= 1 ? innerW / 2 : (i * innerW) / (values.length - 1));
  const y = (v: number) => pad.top + innerH - (v / max) * innerH;
  const line = values.map((v, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const area =
    values.length > 0
      ? `${line} L${x(values.length - 1).toFixed(1)},${pad.top + innerH} L${x(0).toFixed(1)},${pad.top + innerH} Z`
      : "";
  const peak = values.indexOf(Math.max(...values));
  const ticks = points.length > 1 ? [0, Math.floor((points.length - 1) / 2), points.length - 1] : [0];
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
      <Box>
        <svg
          viewBox={`0 0 ${WIDTH} ${height}`}
          width="100%"
          role="img"
          aria-labelledby={titleId}
          data-testid="time-series-chart"
          style={{ display: "block" }}
        >
          <title>{`${metric.label} per day`}</title>
          <line x1={pad.left} x2={WIDTH - pad.right} y1={pad.top + innerH} y2={pad.top + innerH} stroke="#d4d4d4" />
          <line x1={pad.left} x2={WIDTH - pad.right} y1={pad.top} y2={pad.top} stroke="#ececec" strokeDasharray="4 4" />
          {area ? <path d={area} fill="rgba(0, 91, 211, 0.12)" /> : null}
          {line ? <path d={line} fill="none" stroke="#005bd3" strokeWidth={2} strokeLinejoin="round" /> : null}
          {values.map((v, i) => (
            <circle key={points[i]!.date} cx={x(i)} cy={y(v)} r={values.length > 60 ? 0 : 2.5} fill="#005bd3">
              <title>{`${points[i]!.date}: ${metric.format(v)}`}</title>
            </circle>
          ))}
          {values.length > 0 && values[peak]! > 0 ? (
            <text
              x={Math.min(Math.max(x(peak), 60), WIDTH - 60)}
              y={Math.max(y(values[peak]!) - 6, 12)}
              textAnchor="middle"
              fontSize="12"
              fill="#303030"
            >
              {metric.format(values[peak]!)}
            </text>
          ) : null}
          {ticks.map((i) => (
            <text
              key={i}
              x={x(i)}
              y={height - 8}
              textAnchor={i === 0 ? "start" : i === points.length - 1 ? "end" : "middle"}
              fontSize="12"
              fill="#616161"
            >
              {points[i]?.date}
            </text>
          ))}
        </svg>
      </Box>
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
