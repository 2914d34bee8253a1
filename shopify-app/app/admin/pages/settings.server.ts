import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  ApiKeyFormSchema,
  formValues,
  listOwners,
  parseForm,
  settingsData,
  WooConnectFormSchema,
} from "@trailmark/core/admin";
import { getProgramTerms, setProgramTerms } from "@trailmark/core/applications";
import { retryFailedDeliveries } from "@trailmark/core/inbox";
import { createApiKey, revokeApiKey, setStoreHandle, updateStoreCredentials } from "@trailmark/core/stores";
import { activateWebPixel, pixelSettingsFor } from "@trailmark/shopify";
import { connectStore, disconnectStore, normalizeStoreUrl, WooApiError } from "@trailmark/woocommerce";
import { z } from "zod";
import { getEnv } from "../../env.server.ts";
import {
  attempt,
  done,
  fail,
  handleErrors,
  publicUrl,
  type RequireStoreContext,
  readForm,
  type StoreContext,
  shellOf,
} from "../store-context.server.ts";

// Settings: tracking (web pixel or site script) with a repair, webhook health with a retry, API keys (the key is
// shown once, in the action's answer, and never stored), and the WooCommerce connection.

export async function settingsLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => {
    const [settings, owners, terms] = await Promise.all([
      settingsData(ctx.db, ctx.storeId, { publicUrl: publicUrl() }),
      ctx.mode === "standalone" ? listOwners(ctx.db, ctx.storeId) : Promise.resolve([]),
      getProgramTerms(ctx.db, ctx.storeId),
    ]);
    return {
      shell: shellOf(ctx),
      settings,
      owners: owners.map((o) => ({ email: o.email, lastSignInAt: o.lastSignInAt })),
      canRepairPixel: ctx.mode === "embedded" && ctx.store.platform === "shopify",
      publicUrl: publicUrl(),
      program: {
        handle: ctx.store.handle ?? "",
        applyUrl: ctx.store.handle ? `${publicUrl()}/apply/${ctx.store.handle}` : null,
        terms: terms.terms,
        termsVersion: terms.termsVersion,
      },
    };
  });
}

async function repairPixel(ctx: StoreContext) {
  if (!ctx.graphql || ctx.store.platform !== "shopify") {
    return done(
      "repairPixel",
      "Nothing to repair from here: the site script runs from the tag on your storefront. Check that it is on every page.",
    );
  }
  const pixel = await activateWebPixel(ctx.graphql, pixelSettingsFor(ctx.storeId, getEnv().SHOPIFY_APP_URL));
  await updateStoreCredentials(ctx.db, ctx.storeId, { pixel });
  return pixel.status === "active"
    ? done("repairPixel", "The web pixel is active.")
    : fail("repairPixel", { form: `The web pixel could not be activated: ${pixel.error}` }, 502);
}

/** WooCommerce being unreachable or refusing the keys is the merchant's to fix: back to the form, 502. */
async function wooAttempt(intent: string, run: () => Promise<ReturnType<typeof done>>) {
  try {
    return await attempt(intent, run);
  } catch (error) {
    if (error instanceof WooApiError) return fail(intent, { form: error.message }, 502);
    throw error;
  }
}

const KeyIdSchema = z.looseObject({ keyId: z.string().min(1).max(100) });

export async function settingsAction({ request }: ActionFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  const { form, intent } = await readForm(request);
  const values = formValues(form);
  switch (intent) {
    case "repairPixel":
      return repairPixel(ctx);
    case "retryWebhooks": {
      const queued = await retryFailedDeliveries(ctx.db, ctx.storeId);
      return done(
        intent,
        queued === 0 ? "No failed delivery to retry." : `${queued} deliveries queued for another try.`,
      );
    }
    case "createKey": {
      const parsed = parseForm(ApiKeyFormSchema, values);
      if (!parsed.ok) return fail(intent, parsed.errors);
      const key = await createApiKey(ctx.db, ctx.storeId, parsed.data.name);
      return done(intent, "Copy the key now: it is not shown again.", key.key);
    }
    case "revokeKey": {
      const parsed = KeyIdSchema.safeParse(values);
      if (!parsed.success) return fail(intent, { form: "no key given" });
      return attempt(intent, async () => {
        await revokeApiKey(ctx.db, ctx.storeId, parsed.data.keyId);
        return done(intent, "Key revoked: requests with it are refused from now on.");
      });
    }
    case "wooConnect": {
      if (ctx.store.platform !== "woocommerce") return fail(intent, { form: "This store is not a WooCommerce store." });
      const parsed = parseForm(WooConnectFormSchema, values);
      if (!parsed.ok) return fail(intent, parsed.errors);
      // connectStore finds the store by its address: only this store's own address may be connected here.
      const host = new URL(normalizeStoreUrl(parsed.data.url)).host;
      if (host !== ctx.store.domain) return fail(intent, { url: `This admin is for ${ctx.store.domain}.` });
      return wooAttempt(intent, async () => {
        const result = await connectStore({
          db: ctx.db,
          url: parsed.data.url,
          key: parsed.data.key,
          secret: parsed.data.secret,
          publicUrl: publicUrl(),
        });
        const warnings = result.warnings.length ? ` ${result.warnings.join(" ")}` : "";
        return done(
          intent,
          `Connected to WooCommerce ${result.woocommerceVersion ?? ""}.${warnings}`.replace(" .", "."),
        );
      });
    }
    case "wooDisconnect": {
      if (ctx.store.platform !== "woocommerce") return fail(intent, { form: "This store is not a WooCommerce store." });
      return wooAttempt(intent, async () => {
        const result = await disconnectStore({ db: ctx.db, storeId: ctx.storeId, force: values.force === "1" });
        return done(intent, ["Disconnected from WooCommerce.", ...result.warnings].join(" "));
      });
    }
    case "saveHandle": {
      return attempt(
        intent,
        async () => {
          const store = await setStoreHandle(
            ctx.db,
            ctx.storeId,
            typeof values.handle === "string" ? values.handle : "",
          );
          return done(intent, `Creators now apply at ${publicUrl()}/apply/${store.handle}.`);
        },
        "handle",
      );
    }
    case "saveTerms": {
      const terms = typeof values.terms === "string" ? values.terms : "";
      return attempt(
        intent,
        async () => {
          const saved = await setProgramTerms(ctx.db, ctx.storeId, { terms });
          return done(intent, `Terms saved (version ${saved.termsVersion}).`);
        },
        "terms",
      );
    }
    default:
      return fail(intent, { form: "unknown action" });
  }
}
