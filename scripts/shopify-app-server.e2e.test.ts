// The Shopify app served on its own (`npm start -w @trailmark/shopify-app`) reads its environment with the same
// parser as `npm start`: TRUST_PROXY=true trusts the proxy's headers there too (it used to need exactly "1").
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProductProcess, ROOT_DIR, startProduct } from "./testing/product-process.ts";

let database: TestDatabase;
let app: ProductProcess;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startProduct(
    database.url,
    { TRUST_PROXY: "true" },
    { script: join(ROOT_DIR, "shopify-app/server.ts"), listening: /Trailmark Shopify app listening on (http:\/\/\S+)/ },
  );
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await database?.destroy();
});

describe("the Shopify app's own server", () => {
  it("takes TRUST_PROXY=true: a request the proxy received over https is https to the app", async () => {
    const response = await fetch(`${app.url}/admin/login`, { headers: { "x-forwarded-proto": "https" } });
    expect(response.status).toBe(200);
    // The sign-in form's cookie is Secure exactly when the request came over https.
    expect(response.headers.get("set-cookie")).toMatch(/; Secure/);
    const plain = await fetch(`${app.url}/admin/login`);
    expect(plain.headers.get("set-cookie")).not.toMatch(/; Secure/);
  });
});
