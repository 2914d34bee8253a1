import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type EntryContext, type HandleErrorFunction } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { setDocumentFraming } from "./framing.server.ts";

export const streamTimeout = 5000;

/** Logs the server's own errors; an unknown URL or a wrong method is the client's mistake, and an abort is none. */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  console.error(error);
};

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
): Promise<Response> {
  // Framing: the embedded admin by Shopify admin and the shop its loader verified (routes/app.tsx), nothing
  // else by anyone.
  const appData = remixContext.staticHandlerContext.loaderData["routes/app"] as { shop?: string } | undefined;
  setDocumentFraming(new URL(request.url).pathname, responseHeaders, appData?.shop);
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";
  let status = responseStatusCode;
  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [readyEvent]: () => {
        const body = new PassThrough();
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status }));
        pipe(body);
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        status = 500;
        console.error(error);
      },
    });
    // Leave React time to flush the rejected boundaries before giving up on the stream.
    setTimeout(abort, streamTimeout + 1000);
  });
}
