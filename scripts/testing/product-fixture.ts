// One seeded product for the end-to-end tests: a custom store with a program, an API key and a signed-in
// owner, a WooCommerce store, and `npm start` serving them on the test's database.
import { createOwner, signInWithPassword } from "@trailmark/core/admin";
import { createApiKey, createStore } from "@trailmark/core/stores";
import type { TestDatabase } from "@trailmark/core/testing";
import { seedProgram } from "@trailmark/core/testing";
import { type ProductProcess, startProduct } from "./product-process.ts";

export const OWNER_PASSWORD = "a long enough passphrase";
export const BROWSER =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

export interface SeededProduct {
  product: ProductProcess;
  storeId: string;
  linkCode: string;
  apiKey: string;
  wooStoreId: string;
  ownerEmail: string;
  /** The owner's session cookie ("tm_admin=…") and its CSRF token. */
  ownerCookie: string;
  ownerCsrf: string;
}

export async function seedAndStartProduct(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<SeededProduct> {
  const { db } = database;
  const program = await seedProgram(db, { domain: "edges.example.com" });
  const { key } = await createApiKey(db, program.store.id, "e2e");
  const { store: woo } = await createStore(db, { platform: "woocommerce", domain: "woo-edges.example.com" });
  const ownerEmail = "owner@edges.example.com";
  await createOwner(db, program.store.id, ownerEmail, OWNER_PASSWORD);
  const grant = await signInWithPassword(db, ownerEmail, OWNER_PASSWORD);
  const product = await startProduct(database.url, env);
  return {
    product,
    storeId: program.store.id,
    linkCode: program.links[0]!.code,
    apiKey: key,
    wooStoreId: woo.id,
    ownerEmail,
    ownerCookie: `tm_admin=${grant.token}`,
    ownerCsrf: grant.csrfToken,
  };
}
