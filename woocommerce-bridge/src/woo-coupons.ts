import { DiscountCodeError, type DiscountSpec, type StoreDiscountGateway } from "@trailmark/core/applications";
import { formatMinorUnits } from "@trailmark/core/shared";
import type { Store } from "@trailmark/core/stores";
import { createWooClient, WooApiError, type WooClient } from "./woo-client.ts";
import { wooApiAccessOf, wooCredentialsOf } from "./woo-credentials.ts";

// A creator's discount code as a WooCommerce coupon (REST /wc/v3/coupons): created with the campaign's coupon
// settings, moved to the trash when the creator is archived or the campaign ends (DELETE ?force=false keeps it
// restorable), published again on restore. A code the shop already has is adopted when it is the same coupon.

/** The coupon body for a code. WooCommerce keeps amounts as decimal strings; codes are case-insensitive. */
export function couponBody(spec: DiscountSpec): Record<string, unknown> {
  return {
    code: spec.code,
    description: spec.title,
    discount_type: spec.type === "percentage" ? "percent" : "fixed_cart",
    amount: spec.type === "percentage" ? (spec.value / 100).toFixed(2) : formatMinorUnits(spec.value, spec.currency),
    individual_use: true,
    usage_limit_per_user: spec.oncePerCustomer ? 1 : null,
    minimum_amount: spec.minimumSubtotal > 0 ? formatMinorUnits(spec.minimumSubtotal, spec.currency) : "",
    // date_expires is in the site's time zone; the GMT field says the instant whatever the site's zone.
    date_expires_gmt: spec.endsAt ? spec.endsAt.toISOString().slice(0, 19) : null,
  };
}

interface WooCoupon {
  id: number;
  code: string;
  discount_type?: string;
  amount?: string;
  status?: string;
}

function sameCoupon(found: WooCoupon, body: Record<string, unknown>): boolean {
  return found.discount_type === body.discount_type && Number(found.amount) === Number(body.amount);
}

export function wooDiscountGateway(client: WooClient): StoreDiscountGateway {
  return {
    async create(spec) {
      const body = couponBody(spec);
      try {
        const created = (await client.post("/wc/v3/coupons", body)).body as WooCoupon;
        return { externalId: String(created.id) };
      } catch (error) {
        if (!(error instanceof WooApiError && error.code === "woocommerce_rest_coupon_code_already_exists")) {
          if (error instanceof WooApiError)
            throw new DiscountCodeError(`WooCommerce did not create ${spec.code}: ${error.message}`);
          throw error;
        }
      }
      const found = ((await client.get("/wc/v3/coupons", { code: spec.code })).body as WooCoupon[] | null) ?? [];
      const same = found.find((c) => c.code.toLowerCase() === spec.code.toLowerCase());
      if (same && sameCoupon(same, body)) return { externalId: String(same.id) };
      const suggestion = `${spec.code}${Math.floor(10 + Math.random() * 90)}`;
      throw new DiscountCodeError(
        `The coupon ${spec.code} already exists in your shop with another discount. Delete or rename it there, or give the creator another code such as ${suggestion}.`,
        suggestion,
      );
    },
    async setActive(externalId, active, spec) {
      const id = encodeURIComponent(externalId);
      try {
        if (active) await client.put(`/wc/v3/coupons/${id}`, { ...couponBody(spec), status: "publish" });
        else await client.delete(`/wc/v3/coupons/${id}`, { force: false });
      } catch (error) {
        if (error instanceof WooApiError)
          throw new DiscountCodeError(`WooCommerce did not update ${spec.code}: ${error.message}`);
        throw error;
      }
    },
  };
}

/** The coupon gateway of a connected WooCommerce store; null for other stores and stores without API keys. */
export function wooDiscountGatewayFor(
  store: Store,
  options: { fetch?: typeof fetch } = {},
): StoreDiscountGateway | null {
  if (store.platform !== "woocommerce") return null;
  const access = wooApiAccessOf(wooCredentialsOf(store));
  if (!access) return null;
  return wooDiscountGateway(createWooClient({ ...access, fetch: options.fetch }));
}
