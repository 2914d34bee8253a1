import "@shopify/polaris-viz/build/esm/styles.css";
import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";

// Loaded in the browser only (the `.client` suffix keeps it out of the server build): polaris-viz reads
// `navigator` and measures its container while rendering, so it cannot render on the server.

export interface VizChartProps {
  kind: "line" | "bar";
  name: string;
  points: readonly { key: string; value: number }[];
  formatValue: (value: number) => string;
  formatKey: (key: string) => string;
  height: number;
}

export default function PolarisVizChart({ kind, name, points, formatValue, formatKey, height }: VizChartProps) {
  const data = [{ name, data: points.map((p) => ({ key: p.key, value: p.value })) }];
  const props = {
    data,
    theme: "Light",
    showLegend: false,
    xAxisOptions: { labelFormatter: (value: string | number | null) => formatKey(String(value ?? "")) },
    yAxisOptions: {
      labelFormatter: (value: string | number | null) => formatValue(Number(value ?? 0)),
      integersOnly: true,
    },
    tooltipOptions: {
      titleFormatter: (value: string | number | null) => formatKey(String(value ?? "")),
      valueFormatter: (value: string | number | null) => formatValue(Number(value ?? 0)),
    },
  };
  return (
    <PolarisVizProvider>
      <div style={{ height }}>{kind === "bar" ? <BarChart {...props} /> : <LineChart {...props} />}</div>
    </PolarisVizProvider>
  );
}
