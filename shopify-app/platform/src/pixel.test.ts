import { findStoreByDomain } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { installStore } from "./install.ts";
import { type AdminGraphql, activateWebPixel, decidePixelStep, pixelSettingsFor, pixelStateOf } from "./pixel.ts";
import { createShopifyAdminFake, type ShopifyAdminFake, shopifyAdminHandlers } from "./testing/shopify-admin.ts";

const WANTED = pixelSettingsFor("st_123", "https://app.trailmark.test/");
const SHOP = "test-shop.myshopify.com";

describe("decidePixelStep", () => {
  const payload = (userErrors: unknown[], webPixel: unknown = null) => ({ userErrors, webPixel });

  it("is done when the pixel was created", () => {
    const answer = { data: { webPixelCreate: payload([], { id: "gid://shopify/WebPixel/1", settings: "{}" }) } };
    expect(decidePixelStep("create", answer, WANTED)).toEqual({ next: "active", id: "gid://shopify/WebPixel/1" });
  });

  it("looks the pixel up when the shop already has one (TAKEN)", () => {
    const answer = { data: { webPixelCreate: payload([{ code: "TAKEN", field: ["webPixel"], message: "taken" }]) } };
    expect(decidePixelStep("create", answer, WANTED)).toEqual({ next: "lookup" });
  });

  it("updates the existing pixel unless it already has these settings", () => {
    const other = {
      data: { webPixel: { id: "gid://shopify/WebPixel/9", settings: '{"accountID":"st_old","collectorUrl":"x"}' } },
    };
    expect(decidePixelStep("lookup", other, WANTED)).toEqual({ next: "update", id: "gid://shopify/WebPixel/9" });
    const same = { data: { webPixel: { id: "gid://shopify/WebPixel/9", settings: JSON.stringify(WANTED) } } };
    expect(decidePixelStep("lookup", same, WANTED)).toEqual({ next: "active", id: "gid://shopify/WebPixel/9" });
    const asObject = { data: { webPixel: { id: "gid://shopify/WebPixel/9", settings: WANTED } } };
    expect(decidePixelStep("lookup", asObject, WANTED)).toEqual({ next: "active", id: "gid://shopify/WebPixel/9" });
  });

  it("reports any other userError with its code", () => {
    const answer = {
      data: { webPixelUpdate: payload([{ code: "INVALID_SETTINGS", field: ["settings"], message: "bad url" }]) },
    };
    expect(decidePixelStep("update", answer, WANTED)).toEqual({ next: "error", error: "INVALID_SETTINGS: bad url" });
  });

  it("reports top-level GraphQL errors and answers it cannot read", () => {
    expect(decidePixelStep("create", { data: null, errors: [{ message: "Access denied" }] }, WANTED)).toEqual({
      next: "error",
      error: "Access denied",
    });
    expect(decidePixelStep("lookup", { data: { webPixel: null } }, WANTED).next).toBe("error");
    expect(decidePixelStep("create", "<html>", WANTED)).toEqual({
      next: "error",
      error: "unexpected answer to webPixelCreate",
    });
  });

  it("builds the settings the extension declares", () => {
    expect(WANTED).toEqual({ accountID: "st_123", collectorUrl: "https://app.trailmark.test/collect" });
  });
});

// The Admin GraphQL endpoint is MSW; the client is shopify-app-remix's own (unauthenticated.admin), so the test
// covers what the library sends and how it reports failures. MSW must patch fetch before the library captures it.
describe("web pixel activation against the Admin GraphQL API", () => {
  const fake: ShopifyAdminFake = createShopifyAdminFake();
  const server = setupServer(...shopifyAdminHandlers(fake));
  let graphql: AdminGraphql;
  let database: TestDatabase;

  beforeAll(async () => {
    server.listen({ onUnhandledRequest: "error" });
    const { shopifyApp, ApiVersion, LogSeverity } = await import("@shopify/shopify-app-remix/server");
    const { testConfig } = await import("@shopify/shopify-app-remix/test-helpers");
    const { Session } = await import("@shopify/shopify-api");
    const shopify = shopifyApp(testConfig({ apiVersion: ApiVersion.July26, logger: { level: LogSeverity.Error } }));
    await shopify.sessionStorage!.storeSession(
      new Session({
        id: `offline_${SHOP}`,
        shop: SHOP,
        state: "",
        isOnline: false,
        accessToken: "shpat_test",
        scope: "write_pixels",
      }),
    );
    graphql = (await shopify.unauthenticated.admin(SHOP)).admin.graphql;
    database = await createTestDatabase();
  });
  beforeEach(() => {
    Object.assign(fake, createShopifyAdminFake());
  });
  afterEach(() => {
    server.resetHandlers();
  });
  afterAll(async () => {
    server.close();
    await database.destroy();
  });

  it("creates the pixel with the store id and collector URL as its settings", async () => {
    const state = await activateWebPixel(graphql, WANTED, () => new Date("2026-11-25T12:00:00Z"));
    expect(state).toEqual({
      status: "active",
      id: "gid://shopify/WebPixel/7700112233",
      error: null,
      checkedAt: "2026-11-25T12:00:00.000Z",
    });
    expect(fake.calls.map((c) => c.operation)).toEqual(["trailmarkWebPixelCreate"]);
    const sent = fake.calls[0]!.variables as { webPixel: { settings: string } };
    expect(JSON.parse(sent.webPixel.settings)).toEqual({
      accountID: "st_123",
      collectorUrl: "https://app.trailmark.test/collect",
    });
  });

  it("updates the shop's existing pixel when creating says TAKEN", async () => {
    fake.pixel = {
      id: "gid://shopify/WebPixel/42",
      settings: '{"accountID":"st_old","collectorUrl":"https://old.test/collect"}',
    };
    const state = await activateWebPixel(graphql, WANTED);
    expect(state.status).toBe("active");
    expect(state.id).toBe("gid://shopify/WebPixel/42");
    expect(fake.calls.map((c) => c.operation)).toEqual([
      "trailmarkWebPixelCreate",
      "trailmarkWebPixel",
      "trailmarkWebPixelUpdate",
    ]);
    expect(JSON.parse(fake.pixel.settings)).toEqual(WANTED);
  });

  it("does not update a pixel that already has the right settings", async () => {
    fake.pixel = { id: "gid://shopify/WebPixel/42", settings: JSON.stringify(WANTED) };
    expect((await activateWebPixel(graphql, WANTED)).status).toBe("active");
    expect(fake.calls.map((c) => c.operation)).toEqual(["trailmarkWebPixelCreate", "trailmarkWebPixel"]);
  });

  it("returns other userErrors as an error state", async () => {
    fake.userErrors = [{ code: "NO_EXTENSION", field: null, message: "The web pixel extension is not deployed." }];
    const state = await activateWebPixel(graphql, WANTED);
    expect(state).toMatchObject({
      status: "error",
      id: null,
      error: "NO_EXTENSION: The web pixel extension is not deployed.",
    });
  });

  it("returns an HTTP failure as an error state instead of throwing", async () => {
    fake.failWithStatus = 500;
    const state = await activateWebPixel(graphql, WANTED);
    expect(state.status).toBe("error");
    expect(state.error).toMatch(/500/);
  });

  it("installs the shop as a store and records the pixel's state on it", async () => {
    const { store, pixel } = await installStore({
      db: database.db,
      shop: SHOP,
      graphql,
      appUrl: "https://app.trailmark.test",
    });
    expect(store).toMatchObject({
      platform: "shopify",
      domain: SHOP,
      name: "Test Shop",
      currency: "EUR",
      status: "active",
    });
    expect(pixel.status).toBe("active");
    const sent = fake.calls.find((c) => c.operation === "trailmarkWebPixelCreate")!.variables as {
      webPixel: { settings: string };
    };
    expect(JSON.parse(sent.webPixel.settings)).toEqual({
      accountID: store.id,
      collectorUrl: "https://app.trailmark.test/collect",
    });
    const stored = await findStoreByDomain(database.db, "shopify", SHOP);
    expect(pixelStateOf(stored!.credentials)).toEqual(pixel);
    // The storefront's own domain, from which /collect then accepts the pixel's events.
    expect(stored!.allowedDomains).toEqual(["shop.test-brand.example"]);
  });

  it("logs and records a pixel error, and installing again is harmless", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    fake.userErrors = [{ code: "INVALID_SETTINGS", field: ["settings"], message: "collectorUrl is invalid" }];
    const first = await installStore({ db: database.db, shop: SHOP, graphql, appUrl: "https://app.trailmark.test" });
    expect(first.pixel).toMatchObject({ status: "error", error: "INVALID_SETTINGS: collectorUrl is invalid" });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("INVALID_SETTINGS"));
    const stored = await findStoreByDomain(database.db, "shopify", SHOP);
    expect(pixelStateOf(stored!.credentials)?.error).toBe("INVALID_SETTINGS: collectorUrl is invalid");

    fake.userErrors = null;
    const second = await installStore({ db: database.db, shop: SHOP, graphql, appUrl: "https://app.trailmark.test" });
    expect(second.store.id).toBe(first.store.id);
    expect(second.pixel.status).toBe("active");
    warn.mockRestore();
  });
});
