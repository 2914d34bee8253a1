import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueDelivery } from "../inbox/inbox.ts";
import { retryFailedDeliveries } from "../inbox/stored-deliveries.ts";
import { createApiKey, revokeApiKey } from "../stores/api-keys.ts";
import { createStore, updateStoreCredentials } from "../stores/store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY } from "../testing/fixtures.ts";
import { settingsData, trackingStatusOf, wooStatusOf } from "./settings.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const NOW = new Date("2026-06-01T00:00:00Z");
const PUBLIC_URL = "https://track.example.com/";

describe("trackingStatusOf", () => {
  it("reads the Shopify web pixel's recorded activation", () => {
    const pixel = { status: "error", id: null, error: "NO_EXTENSION: not deployed", checkedAt: "2026-05-30T00:00:00Z" };
    expect(
      trackingStatusOf({ id: "st_1", platform: "shopify", credentials: { pixel } }, null, PUBLIC_URL, NOW),
    ).toEqual({
      kind: "web_pixel",
      state: "error",
      error: "NO_EXTENSION: not deployed",
      checkedAt: "2026-05-30T00:00:00Z",
      lastEventAt: null,
      scriptTag: null,
    });
    expect(trackingStatusOf({ id: "st_1", platform: "shopify", credentials: {} }, null, PUBLIC_URL, NOW).state).toBe(
      "unknown",
    );
  });

  it("judges the site script by how recently a browser event arrived and gives its tag", () => {
    const store = { id: "st_1", platform: "custom" as const, credentials: {} };
    const status = (at: Date | null) => trackingStatusOf(store, at, PUBLIC_URL, NOW);
    expect(status(new Date(NOW.getTime() - DAY)).state).toBe("active");
    expect(status(new Date(NOW.getTime() - 30 * DAY)).state).toBe("silent");
    expect(status(null).state).toBe("unknown");
    expect(status(null).scriptTag).toBe(
      '<script async src="https://track.example.com/t.js" data-store="st_1"></script>',
    );
  });
});

describe("wooStatusOf", () => {
  it("is connected only with the keys and the webhook secret", () => {
    const full = {
      url: "https://shop.example.com",
      consumerKey: "ck_1",
      consumerSecret: "cs_1",
      webhookSecret: "s",
      webhookIds: { "order.updated": "2", "order.created": "1" },
      lastReconciledAt: "2026-05-31T00:00:00Z",
    };
    expect(wooStatusOf(full)).toMatchObject({
      connected: true,
      webhookTopics: ["order.created", "order.updated"],
      lastReconciledAt: "2026-05-31T00:00:00Z",
    });
    expect(wooStatusOf({ ...full, consumerKey: null, disconnectedAt: "2026-06-01T00:00:00Z" })).toMatchObject({
      connected: false,
      disconnectedAt: "2026-06-01T00:00:00Z",
    });
    expect(wooStatusOf({ url: 5 })).toMatchObject({ connected: false, url: null });
  });
});

describe("settingsData", () => {
  it("gathers tracking, webhook health, API keys and the WooCommerce connection of one store only", async () => {
    const { db } = database;
    const { store } = await createStore(db, { platform: "woocommerce", domain: "woo-settings.example.com" });
    const { store: other } = await createStore(db, { platform: "woocommerce", domain: "woo-other.example.com" });
    await updateStoreCredentials(db, store.id, {
      url: "https://woo-settings.example.com",
      consumerKey: "ck_1",
      consumerSecret: "cs_1",
      webhookSecret: "x",
    });
    const kept = await createApiKey(db, store.id, "server");
    const revoked = await createApiKey(db, store.id, "old");
    await revokeApiKey(db, store.id, revoked.id);
    await createApiKey(db, other.id, "theirs");
    const delivery = (storeId: string, key: string) =>
      enqueueDelivery(db, {
        source: "woocommerce",
        storeId,
        topic: "order.updated",
        dedupKey: key,
        headers: {},
        body: new Uint8Array([123, 125]),
      });
    const failed = await delivery(store.id, `f-${store.id}`);
    await db.webhookInbox.update({
      where: { id: failed.id },
      data: { status: "dead", attempts: 10, lastError: "boom" },
    });
    await delivery(store.id, `p-${store.id}`);
    await delivery(other.id, `o-${other.id}`);

    const data = await settingsData(db, store.id, { publicUrl: PUBLIC_URL, now: NOW });
    expect(data.store).toMatchObject({ id: store.id, platform: "woocommerce" });
    expect(data.tracking).toMatchObject({ kind: "site_script", state: "unknown" });
    expect(data.webhooks).toMatchObject({ pending: 1, failed: 0, dead: 1 });
    expect(data.webhooks.recentFailures).toEqual([
      expect.objectContaining({ id: failed.id, lastError: "boom", status: "dead" }),
    ]);
    expect(data.apiKeys.map((k) => [k.name, k.revokedAt === null])).toEqual([
      ["old", false],
      ["server", true],
    ]);
    expect(data.apiKeys.find((k) => k.id === kept.id)).not.toHaveProperty("secretHash");
    expect(data.woocommerce).toMatchObject({ connected: true, url: "https://woo-settings.example.com" });

    expect(await retryFailedDeliveries(db, other.id, NOW)).toBe(0);
    expect(await retryFailedDeliveries(db, store.id, NOW)).toBe(1);
    expect(await db.webhookInbox.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({
      status: "failed",
      attempts: 0,
    });
  });

  it("has no WooCommerce section for other platforms", async () => {
    const { store } = await createStore(database.db, { platform: "custom", domain: "custom-settings.example.com" });
    expect((await settingsData(database.db, store.id, { publicUrl: PUBLIC_URL })).woocommerce).toBeNull();
  });
});
