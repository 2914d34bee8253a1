import QRCode from "qrcode";
import { Html } from "./html.ts";

// QR codes for tracking links, drawn by the `qrcode` package as SVG. A link's code never changes, so each SVG
// is made once per process (bounded, oldest out first).

const MAX_CACHED = 2_000;
const cache = new Map<string, string>();

/** An SVG image of the URL's QR code, labelled for assistive technology. */
export async function qrSvg(url: string, label: string): Promise<Html> {
  let svg = cache.get(url);
  if (svg === undefined) {
    svg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(url, svg);
  }
  const escaped = label.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // The library's output is fixed markup around path data made from the URL's bits; only the label is ours.
  return Html.trusted(svg.replace("<svg ", `<svg role="img" aria-label="${escaped}" class="qr" `));
}
