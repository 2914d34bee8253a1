// Requests written by hand on a TCP socket, for bodies no well-behaved client sends: over any limit, declared
// larger than sent, chunked without a length, trickled, or cut off half way. The answer is read as it
// arrives, whether or not the server read the whole body first.
import { connect } from "node:net";

export interface RawOutcome {
  /** The answer's status, or null when the connection ended without one (as for a body we cut off). */
  status: number | null;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  /** The body in pieces, written one after another (as chunks when Transfer-Encoding is chunked). */
  pieces?: (string | Buffer)[];
  /** Between pieces, for a slow client. */
  gapMs?: number;
  /** Cut the connection after writing this many pieces, without finishing the request. */
  abortAfter?: number;
  timeoutMs?: number;
}

const HEAD_END = Buffer.from("\r\n\r\n");

function parse(data: Buffer): { outcome: RawOutcome; complete: boolean } | null {
  const end = data.indexOf(HEAD_END);
  if (end === -1) return null;
  const [statusLine, ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1] ?? Number.NaN);
  let body = rest.toString("utf8");
  let complete = false;
  if (headers["content-length"] !== undefined) complete = rest.length >= Number(headers["content-length"]);
  else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    complete = rest.includes("\r\n0\r\n\r\n") || rest.subarray(0, 5).toString() === "0\r\n\r\n";
    // De-chunk for readers of the text.
    let text = "";
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf("\r\n", at);
      if (lineEnd === -1) break;
      const size = Number.parseInt(rest.subarray(at, lineEnd).toString(), 16);
      if (!Number.isFinite(size) || size === 0) break;
      text += rest.subarray(lineEnd + 2, lineEnd + 2 + size).toString("utf8");
      at = lineEnd + 2 + size + 2;
    }
    body = text;
  } else if (status === 204 || status === 304 || (status >= 100 && status < 200)) complete = true;
  return { outcome: { status: Number.isNaN(status) ? null : status, headers, body }, complete };
}

export function sendRaw(url: string, init: RawRequest = {}): Promise<RawOutcome> {
  const target = new URL(url);
  const chunked = /chunked/i.test(init.headers?.["transfer-encoding"] ?? "");
  return new Promise((resolve) => {
    let settled = false;
    let received = Buffer.alloc(0);
    const socket = connect(Number(target.port), target.hostname);
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(received)?.outcome ?? { status: null, headers: {}, body: "" });
    };
    const timer = setTimeout(finish, init.timeoutMs ?? 20_000);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (parse(received)?.complete) finish();
    });
    socket.on("end", finish);
    socket.on("close", finish);
    // The server may answer (413) and close before the whole body is written: the write then fails.
    socket.on("error", finish);
    socket.once("connect", () => {
      void (async () => {
        const headers = { host: target.host, ...init.headers };
        const head = `${init.method ?? "POST"} ${target.pathname}${target.search} HTTP/1.1\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join("\r\n")}\r\n\r\n`;
        socket.write(head);
        const pieces = init.pieces ?? [];
        for (let i = 0; i < pieces.length; i++) {
          if (settled || socket.destroyed) return;
          if (init.abortAfter !== undefined && i >= init.abortAfter) break;
          const piece = Buffer.from(pieces[i]!);
          const data = chunked
            ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")])
            : piece;
          if (!socket.write(data)) await new Promise((r) => socket.once("drain", r).once("close", r));
          if (init.gapMs) await new Promise((r) => setTimeout(r, init.gapMs));
        }
        if (settled || socket.destroyed) return;
        if (init.abortAfter !== undefined) {
          finish();
          return;
        }
        if (chunked) socket.write("0\r\n\r\n");
      })();
    });
  });
}
