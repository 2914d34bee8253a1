import type { Db } from "@trailmark/core/db";
import { createStore, type Store, updateStoreCredentials } from "@trailmark/core/stores";
import { seedProgram } from "@trailmark/core/testing";
import { TEST_CONSUMER_KEY, TEST_CONSUMER_SECRET } from "./woo-api.ts";

export const TEST_WEBHOOK_SECRET = "whsec-T3st_SecretForSigning-9f8e7d";

function uniqueDomain(): string {
  return `shop-${Math.random().toString(36).slice(2, 8)}.example.com`;
}

/** A WooCommerce store as `connectStore` leaves it, without talking to WooCommerce. */
export async function createConnectedWooStore(
  db: Db,
  options: { domain?: string; secret?: string } = {},
): Promise<Store> {
  const domain = options.domain ?? uniqueDomain();
  const { store } = await createStore(db, { platform: "woocommerce", domain, currency: "EUR" });
  return updateStoreCredentials(db, store.id, {
    url: `https://${domain}`,
    consumerKey: TEST_CONSUMER_KEY,
    consumerSecret: TEST_CONSUMER_SECRET,
    webhookSecret: options.secret ?? TEST_WEBHOOK_SECRET,
  });
}

/** core's test program (a USD campaign, two creators with links) on a connected WooCommerce store. */
export async function seedWooProgram(db: Db, options: { domain?: string } = {}) {
  const domain = options.domain ?? uniqueDomain();
  // seedProgram makes a "custom" store in USD; the bridge only accepts deliveries for WooCommerce stores.
  const program = await seedProgram(db, { domain });
  await db.store.update({ where: { id: program.store.id }, data: { platform: "woocommerce" } });
  const store = await updateStoreCredentials(db, program.store.id, {
    url: `https://${domain}`,
    consumerKey: TEST_CONSUMER_KEY,
    consumerSecret: TEST_CONSUMER_SECRET,
    webhookSecret: TEST_WEBHOOK_SECRET,
  });
  return { ...program, store };
}
