import { parseArgs } from "node:util";
import { emitter, explainCliError, need, UsageError } from "@trailmark/core/cli";
import type { Db } from "@trailmark/core/db";
import { inboxHealth } from "@trailmark/core/inbox";
import { AppError } from "@trailmark/core/shared";
import { requireStore } from "@trailmark/core/stores";
import { connectStore, disconnectStore } from "./connect.ts";
import { reconcileStore } from "./reconcile.ts";
import { WooApiError } from "./woo-client.ts";
import { wooApiAccessOf, wooCredentialsOf } from "./woo-credentials.ts";

// `trailmark woo …`: core's CLI loads this module by package name (@trailmark/woocommerce/cli) and
// hands it the rest of the arguments.

export const WOO_USAGE = `trailmark woo <command> [options]

  woo connect --url <store url> --key <ck_…> --secret <cs_…> [--name <name>] [--public-url <url>]
      Checks the REST API keys (Read/Write), creates or reuses the store, installs the order webhooks
      and prints the script tag for the theme. Safe to run again to repair a connection.
  woo disconnect --store <id> [--force]
      Deletes the webhooks and forgets the keys; --force does so even when the store cannot be reached.
  woo sync --store <id>
      Polls the orders modified since the last sync now, and re-enables disabled webhooks.
  woo status --store <id>

Add --json for machine-readable output.`;

export interface WooCommandDeps {
  db: Db;
  out: (line: string) => void;
  err?: (line: string) => void;
  /** Where the bridge is reachable from the internet (PUBLIC_URL). */
  publicUrl: string;
  fetch?: typeof fetch;
}

const OPTIONS = {
  url: { type: "string" },
  key: { type: "string" },
  secret: { type: "string" },
  name: { type: "string" },
  store: { type: "string" },
  "public-url": { type: "string" },
  force: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function runWooCommand(argv: string[], deps: WooCommandDeps): Promise<number> {
  const err = deps.err ?? deps.out;
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const command = positionals[0];
    if (values.help || !command) {
      deps.out(WOO_USAGE);
      return values.help ? 0 : 2;
    }
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const emit = emitter(values.json, deps.out);
    const { db } = deps;
    switch (command) {
      case "connect": {
        const result = await connectStore({
          db,
          url: need(values, "url"),
          key: need(values, "key"),
          secret: need(values, "secret"),
          name: values.name,
          publicUrl: values["public-url"] ?? deps.publicUrl,
          fetch: deps.fetch,
        });
        const { store } = result;
        emit(
          {
            storeId: store.id,
            domain: store.domain,
            currency: store.currency,
            created: result.created,
            woocommerceVersion: result.woocommerceVersion,
            deliveryUrl: result.deliveryUrl,
            webhooks: result.webhooks,
            scriptTag: result.scriptTag,
            warnings: result.warnings,
          },
          () => [
            `${result.created ? "connected" : "reconnected"} store ${store.id} (woocommerce ${store.domain}, ${store.currency}${result.woocommerceVersion ? `, WooCommerce ${result.woocommerceVersion}` : ""})`,
            `webhooks → ${result.deliveryUrl}`,
            ...result.webhooks.map((w) => `  ${w.topic.padEnd(15)} #${w.id} ${w.action.replace("_", " ")}`),
            "",
            "Add this line to the theme, before </head> (or with a header/footer code plugin):",
            `  ${result.scriptTag}`,
            ...result.warnings.map((w) => `warning: ${w}`),
          ],
        );
        return 0;
      }
      case "disconnect": {
        const result = await disconnectStore({
          db,
          storeId: need(values, "store"),
          force: values.force,
          fetch: deps.fetch,
        });
        emit(
          { storeId: result.store.id, removedWebhookIds: result.removedWebhookIds, warnings: result.warnings },
          () => [
            `disconnected store ${result.store.id}; removed ${result.removedWebhookIds.length} webhook(s)`,
            ...result.warnings.map((w) => `warning: ${w}`),
          ],
        );
        return 0;
      }
      case "sync": {
        const result = await reconcileStore({ db, storeId: need(values, "store"), fetch: deps.fetch });
        emit(result, () => [
          `synced store ${result.storeId}: ${result.orders} order(s) modified since ${result.since.toISOString()} (${Object.entries(
            result.outcomes,
          )
            .map(([k, v]) => `${v} ${k}`)
            .join(", ")})`,
          ...result.skipped.map((s) => `skipped order ${s.id ?? "?"}: ${s.error}`),
          ...result.webhooks
            .filter((w) => w.action !== "unchanged")
            .map((w) => `webhook ${w.topic} #${w.id} ${w.action}`),
        ]);
        return 0;
      }
      case "status": {
        const store = await requireStore(db, need(values, "store"));
        if (store.platform !== "woocommerce")
          throw new AppError("invalid", `store ${store.id} is a ${store.platform} store, not WooCommerce`);
        const credentials = wooCredentialsOf(store);
        const inbox = await inboxHealth(db, store.id);
        const status = {
          storeId: store.id,
          domain: store.domain,
          status: store.status,
          connected: wooApiAccessOf(credentials) !== null && Boolean(credentials.webhookSecret),
          webhookIds: credentials.webhookIds ?? {},
          lastSyncedAt: credentials.lastSyncedAt ?? null,
          lastReconciledAt: credentials.lastReconciledAt ?? null,
          lastReconcileError: credentials.lastReconcileError ?? null,
          inbox,
        };
        emit(status, () => [
          `store ${store.id} (woocommerce ${store.domain}): ${status.connected ? "connected" : "not connected"}, ${store.status}`,
          `webhooks: ${
            Object.entries(status.webhookIds)
              .map(([t, id]) => `${t} #${id}`)
              .join(", ") || "none"
          }`,
          `last sync: ${status.lastReconciledAt ?? "never"} (orders modified up to ${status.lastSyncedAt ?? "-"})`,
          ...(status.lastReconcileError ? [`last sync error: ${status.lastReconcileError}`] : []),
          `inbox: ${inbox.pending} pending, ${inbox.failed} failed, ${inbox.dead} dead; last delivery ${inbox.lastReceivedAt?.toISOString() ?? "never"}`,
        ]);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "woo ${command}"`);
    }
  } catch (error) {
    if (error instanceof WooApiError) {
      err(`trailmark: ${error.message}`);
      return 1;
    }
    const code = explainCliError(error, WOO_USAGE, err);
    if (code === null) throw error;
    return code;
  }
}

/** The entry point core's CLI looks for in a platform package. */
export const runCommand = runWooCommand;
