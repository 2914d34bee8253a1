import { getStore } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runWooCommand } from "./cli.ts";
import { type FakeWooStoreOptions, fakeWooStore } from "./testing/woo-api.ts";

const server = setupServer();
let database: TestDatabase;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  database = await createTestDatabase();
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await database.destroy();
});

let counter = 0;
function woo(options: FakeWooStoreOptions = {}) {
  const shop = fakeWooStore({ url: `https://cli-${++counter}.example.com`, ...options });
  server.use(...shop.handlers);
  return shop;
}

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runWooCommand(argv, {
    db: database.db,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    publicUrl: "https://track.trailmark.test",
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("trailmark woo", () => {
  it("connects a store and prints the webhooks and the script tag, never the secrets", async () => {
    const shop = woo();
    const { code, out, err } = await run("connect", "--url", shop.url, "--key", shop.key, "--secret", shop.secret);
    expect(err).toBe("");
    expect(code).toBe(0);
    const storeId = /store (st_\w+)/.exec(out)?.[1];
    expect(out).toContain(`connected store ${storeId} (woocommerce ${new URL(shop.url).host}, EUR, WooCommerce 9.4.2)`);
    expect(out).toMatch(/order\.created\s+#\d+ created/);
    expect(out).toContain(`<script async src="https://track.trailmark.test/t.js" data-store="${storeId}"></script>`);
    expect(out).not.toContain(shop.secret);
    expect(out).not.toContain(shop.webhooks[0]!.secret);
  });

  it("prints JSON with --json", async () => {
    const shop = woo();
    const { code, out } = await run("connect", "--url", shop.url, "--key", shop.key, "--secret", shop.secret, "--json");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      created: true,
      webhooks: expect.any(Array),
      scriptTag: expect.stringContaining("/t.js"),
    });
  });

  it("explains bad keys and exits with 1", async () => {
    const shop = woo();
    const { code, err } = await run("connect", "--url", shop.url, "--key", shop.key, "--secret", "cs_0123456789abcdef");
    expect(code).toBe(1);
    expect(err).toMatch(
      /WooCommerce rejected the API keys \(401 woocommerce_rest_authentication_error\): Consumer secret is invalid/,
    );
  });

  it("explains a store that is down and exits with 1", async () => {
    const shop = woo({ behaviour: "down" });
    const { code, err } = await run("connect", "--url", shop.url, "--key", shop.key, "--secret", shop.secret);
    expect(code).toBe(1);
    expect(err).toMatch(/could not reach https:\/\/cli-\d+\.example\.com .*check the URL and that the store is online/);
  });

  it("exits with 2 and the usage for a missing option or an unknown command", async () => {
    const missing = await run("connect", "--url", "https://shop.example.com", "--key", "ck_abc");
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing --secret/);
    expect(missing.err).toContain("woo connect --url");
    expect((await run("frobnicate")).code).toBe(2);
    expect((await run("connect", "--bogus")).code).toBe(2);
    expect((await run()).code).toBe(2);
    expect((await run("--help")).code).toBe(0);
  });

  it("disconnects a store and shows its status", async () => {
    const shop = woo();
    const connected = await run("connect", "--url", shop.url, "--key", shop.key, "--secret", shop.secret, "--json");
    const { storeId } = JSON.parse(connected.out) as { storeId: string };
    const status = await run("status", "--store", storeId);
    expect(status.code).toBe(0);
    expect(status.out).toContain("connected, active");
    expect(status.out).toContain("inbox: 0 pending, 0 failed, 0 dead; last delivery never");

    const { code, out } = await run("disconnect", "--store", storeId);
    expect(code).toBe(0);
    expect(out).toContain(`disconnected store ${storeId}; removed 4 webhook(s)`);
    expect(shop.webhooks).toEqual([]);
    expect((await getStore(database.db, storeId))?.status).toBe("uninstalled");
  });

  it("shows the recreated webhook's id after a sync replaced one deleted at the store", async () => {
    const shop = woo();
    const connected = await run("connect", "--url", shop.url, "--key", shop.key, "--secret", shop.secret, "--json");
    const { storeId } = JSON.parse(connected.out) as { storeId: string };
    const [removed] = shop.webhooks.splice(
      shop.webhooks.findIndex((w) => w.topic === "order.deleted"),
      1,
    );
    expect((await run("sync", "--store", storeId)).code).toBe(0);
    const recreated = shop.webhooks.find((w) => w.topic === "order.deleted")!;
    expect(recreated.id).not.toBe(removed!.id);
    const status = await run("status", "--store", storeId);
    expect(status.out).toContain(`order.deleted #${recreated.id}`);
    expect(status.out).not.toContain(`#${removed!.id}`);
    const json = JSON.parse((await run("status", "--store", storeId, "--json")).out) as {
      webhookIds: Record<string, string>;
    };
    expect(json.webhookIds).toEqual(Object.fromEntries(shop.webhooks.map((w) => [w.topic, String(w.id)])));
  });

  it("reports an unknown store with exit code 1", async () => {
    const { code, err } = await run("disconnect", "--store", "st_missing");
    expect(code).toBe(1);
    expect(err).toMatch(/store st_missing not found/);
  });

  it("syncs a store on demand", async () => {
    const shop = woo();
    const connected = await run("connect", "--url", shop.url, "--key", shop.key, "--secret", shop.secret, "--json");
    const { storeId } = JSON.parse(connected.out) as { storeId: string };
    const { code, out } = await run("sync", "--store", storeId);
    expect(code).toBe(0);
    expect(out).toMatch(/synced store st_\w+: 0 order\(s\) modified since/);
  });
});
