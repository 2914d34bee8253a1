import { type Html, html } from "./html.ts";

// Pure: a small accessible bar chart as inline SVG. The SVG is an image with a title and a one-sentence summary
// (role="img"), each bar names its day and value for pointer users, and the caller shows the same figures in a
// table for screen readers and for copying. No script, so it works under the portal's CSP.

export interface BarChartInput {
  id: string;
  label: string;
  summary: string;
  bars: { label: string; value: number; text: string }[];
}

const WIDTH = 600;
const HEIGHT = 120;
const TOP = 6;

export function barChart(input: BarChartInput): Html {
  const max = Math.max(0, ...input.bars.map((b) => b.value));
  const n = Math.max(1, input.bars.length);
  const slot = WIDTH / n;
  const gap = n > 40 ? 1 : 2;
  const bars = input.bars.map((b, i) => {
    const h = max === 0 ? 0 : Math.max(b.value > 0 ? 1 : 0, ((HEIGHT - TOP) * b.value) / max);
    const x = (i * slot + gap / 2).toFixed(2);
    const y = (HEIGHT - h).toFixed(2);
    return html`<rect x="${x}" y="${y}" width="${Math.max(0.5, slot - gap).toFixed(2)}" height="${h.toFixed(2)}"><title>${b.label}: ${b.text}</title></rect>`;
  });
  const titleId = `${input.id}-title`;
  const descId = `${input.id}-desc`;
  return html`<svg class="chart" id="${input.id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-labelledby="${titleId} ${descId}" focusable="false"><title id="${titleId}">${input.label}</title><desc id="${descId}">${input.summary}</desc><line x1="0" y1="${HEIGHT - 0.5}" x2="${WIDTH}" y2="${HEIGHT - 0.5}" class="axis"/>${bars}</svg>`;
}
