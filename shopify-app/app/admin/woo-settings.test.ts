import type { Db } from "@trailmark/core/db";
import { createStore, getStore } from "@trailmark/core/stores";
import type { TestDatabase } from "@trailmark/core/testing";
import { fakeWooStore } from "@trailmark/woocommerce/testing";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as settings from "../routes/admin.settings.tsx";
import { get, ORIGIN, openAdminDatabase, post, signInOwner } from "./test-support.ts";

// The WooCommerce card of Settings: connecting the store's own shop (keys checked, webhooks created against a
// fake WooCommerce REST API), refusing another shop's address, and disconnecting.

const msw = setupServer();
let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "error" });
  database = await openAdminDatabase();
  db = database.db;
});
afterAll(async () => {
  msw.close();
  await database.destroy();
});

describe("WooCommerce connection in Settings", () => {
  it("connects the store's own shop, shows it connected, and disconnects it", async () => {
    const shop = fakeWooStore({ url: "https://woo-admin.example.com" });
    msw.use(...shop.handlers);
    const { store } = await createStore(db, { platform: "woocommerce", domain: "woo-admin.example.com" });
    const owner = await signInOwner(db, store.id);
    const before = await get<{ settings: { woocommerce: { connected: boolean } } }>(
      settings.loader,
      "/admin/settings",
      { owner },
    );
    expect(before.data.settings.woocommerce.connected).toBe(false);

    const elsewhere = await post(
      settings.action,
      "/admin/settings",
      { intent: "wooConnect", url: "https://other-shop.example.com", key: shop.key, secret: shop.secret },
      { owner },
    );
    expect(elsewhere).toMatchObject({
      status: 400,
      data: { errors: { url: "This admin is for woo-admin.example.com." } },
    });
    const badKey = await post(
      settings.action,
      "/admin/settings",
      { intent: "wooConnect", url: shop.url, key: "nope", secret: shop.secret },
      { owner },
    );
    expect(badKey).toMatchObject({ status: 400, data: { errors: { key: "should look like ck_…" } } });

    const connected = await post(
      settings.action,
      "/admin/settings",
      { intent: "wooConnect", url: shop.url, key: shop.key, secret: shop.secret },
      { owner },
    );
    expect(connected).toMatchObject({
      status: 200,
      data: { ok: true, message: expect.stringContaining("Connected to WooCommerce") },
    });
    expect(shop.webhooks.map((w) => w.delivery_url)).toEqual(
      Array(4).fill(`${ORIGIN}/woocommerce/webhooks/${store.id}`),
    );
    const after = await get<{ settings: { woocommerce: { connected: boolean; webhookTopics: string[] } } }>(
      settings.loader,
      "/admin/settings",
      { owner },
    );
    expect(after.data.settings.woocommerce).toMatchObject({
      connected: true,
      webhookTopics: ["order.created", "order.deleted", "order.restored", "order.updated"],
    });

    const disconnected = await post(settings.action, "/admin/settings", { intent: "wooDisconnect" }, { owner });
    expect(disconnected).toMatchObject({ status: 200, data: { ok: true } });
    expect(shop.webhooks).toEqual([]);
    expect((await getStore(db, store.id))!.credentials).toMatchObject({ consumerKey: null, webhookSecret: null });
  });

  it("answers 502 with WooCommerce's reason when the shop refuses the keys", async () => {
    const shop = fakeWooStore({ url: "https://woo-refusing.example.com" });
    msw.use(...shop.handlers);
    const { store } = await createStore(db, { platform: "woocommerce", domain: "woo-refusing.example.com" });
    const owner = await signInOwner(db, store.id);
    const refused = await post(
      settings.action,
      "/admin/settings",
      { intent: "wooConnect", url: shop.url, key: "ck_wrong", secret: "cs_wrong" },
      { owner },
    );
    expect(refused.status).toBe(502);
    expect(refused.data).toMatchObject({ ok: false, errors: { form: expect.any(String) } });
  });
});
