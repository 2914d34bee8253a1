import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { createPortal, type Portal } from "./index.ts";
import { createMemoryMailer } from "./mailer.ts";
import { ADA_EMAIL, BEN_EMAIL, seedPortalScenario } from "./portal-scenario.ts";
import { call, signIn } from "./portal-test-kit.ts";

// A creator who works for two stores signs in once and sees both; every page, every link on it, the CSV and
// every detail page is read, and none shows anything of another creator or of a customer.

let database: TestDatabase;
let portal: Portal;
let scenario: Awaited<ReturnType<typeof seedPortalScenario>>;
const mailer = createMemoryMailer();

beforeAll(async () => {
  database = await createTestDatabase();
  portal = createPortal({ db: database.db, publicUrl: "https://go.example.com", mailer });
  scenario = await seedPortalScenario(database.db);
});

afterAll(async () => {
  await database?.destroy();
});

/** Every page a signed-in creator can reach by following the portal's own links, with its text. */
async function crawl(cookie: string): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const queue = ["/portal", "/portal/earnings.csv"];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    const response = await call(portal, path, { headers: { cookie } });
    expect(response.status, path).toBe(200);
    const text = await response.text();
    seen.set(path, text);
    for (const match of text.matchAll(/href="(\/portal[^"#]*)"/g)) {
      const href = match[1]!.replace(/&amp;/g, "&");
      if (href.startsWith("/portal/assets/") || seen.has(href)) continue;
      queue.push(href);
    }
    for (const status of ["pending", "approved", "reduced", "reversed", "rejected", "paid", "over_budget"]) {
      const filtered = `/portal/conversions?status=${status}`;
      if (path === "/portal/conversions" && !seen.has(filtered)) queue.push(filtered);
    }
  }
  return seen;
}

describe("a creator who works for two stores", () => {
  it("sees both stores, and nothing of any other creator or customer", async () => {
    const { db } = database;
    const { cookie } = await signIn(portal, mailer, ADA_EMAIL);
    const pages = await crawl(cookie);
    // Overview, links, conversions (filters and details), payouts (and the run's payout), settings, CSV.
    const paths = [...pages.keys()];
    expect(paths).toEqual(
      expect.arrayContaining([
        "/portal",
        "/portal/links",
        "/portal/conversions",
        "/portal/payouts",
        "/portal/settings",
        "/portal/earnings.csv",
        "/portal?range=7",
        "/portal?range=90",
      ]),
    );
    const details = paths.filter((p) => /^\/portal\/conversions\/cm_/.test(p));
    const adaCommissions = await db.commission.findMany({
      where: { creatorId: { in: scenario.ada.map((c) => c.id) } },
    });
    expect(details.sort()).toEqual(adaCommissions.map((c) => `/portal/conversions/${c.id}`).sort());
    expect(paths.filter((p) => /^\/portal\/payouts\/po_/.test(p))).toHaveLength(1);

    const overview = pages.get("/portal")!;
    expect(overview).toContain("Alpine Goods");
    expect(overview).toContain("Berlin Boutique");
    const links = pages.get("/portal/links")!;
    expect(links).toContain(`https://go.example.com/c/${scenario.links.adaLinkA.code}`);
    expect(links).toContain(`https://go.example.com/c/${scenario.links.adaLinkB.code}`);
    expect(links).toContain("ADA10");
    const csv = pages.get("/portal/earnings.csv")!;
    expect(csv.trim().split("\r\n")).toHaveLength(1 + adaCommissions.length);

    const others = [...scenario.ben, scenario.cleo];
    const otherCommissions = await db.commission.findMany({ where: { creatorId: { in: others.map((c) => c.id) } } });
    const otherPayouts = await db.payout.findMany({ where: { creatorId: { in: others.map((c) => c.id) } } });
    const forbidden = [
      ...others.map((c) => c.id),
      "Ben B.",
      "Cleo",
      scenario.links.benLinkA.code,
      scenario.links.benLinkB.code,
      scenario.links.cleoLinkB.code,
      "BEN15",
      "77.77",
      "99.99",
      ...otherCommissions.map((c) => c.id),
      ...otherPayouts.map((p) => p.id),
      // Customers: never their data, never a full order reference.
      "customer-hash-never-shown",
      "#1001",
      "#B-77",
      "@example.com",
    ];
    for (const [path, text] of pages) {
      for (const word of forbidden) expect(text, `${path} shows ${word}`).not.toContain(word);
    }
    // The linear order at Berlin: Ada sees her half and her own click, not Cleo's.
    const shared = adaCommissions.find((c) => c.storeId === scenario.berlin.id)!;
    const detail = pages.get(`/portal/conversions/${shared.id}`)!;
    expect(detail).toContain("50%");
    expect(detail).toContain("linear");
    const touches = /<ul id="touch-list">([\s\S]*?)<\/ul>/.exec(detail)![1]!;
    expect(touches.match(/<li>/g)).toHaveLength(1);
    expect(detail).toContain(`your link ${scenario.links.adaLinkB.code}`);
    expect(detail).toContain("•••77");
  });

  it("refuses another creator's conversion and payout by id, as if they did not exist", async () => {
    const { db } = database;
    const { cookie } = await signIn(portal, mailer, ADA_EMAIL);
    const others = [...scenario.ben, scenario.cleo].map((c) => c.id);
    for (const c of await db.commission.findMany({ where: { creatorId: { in: others } } })) {
      expect((await call(portal, `/portal/conversions/${c.id}`, { headers: { cookie } })).status).toBe(404);
    }
    for (const p of await db.payout.findMany({ where: { creatorId: { in: others } } })) {
      expect((await call(portal, `/portal/payouts/${p.id}`, { headers: { cookie } })).status).toBe(404);
    }
    expect((await call(portal, "/portal/conversions/..%2F..", { headers: { cookie } })).status).toBe(404);
  });

  it("shows the other creator of both stores their own results and none of Ada's", async () => {
    const { cookie } = await signIn(portal, mailer, BEN_EMAIL);
    const pages = await crawl(cookie);
    const all = [...pages.values()].join("\n");
    expect(all).toContain("77.77 USD");
    expect(all).toContain("99.99 EUR");
    expect(all).toContain("BEN15");
    for (const word of [
      ...scenario.ada.map((c) => c.id),
      scenario.cleo.id,
      scenario.links.adaLinkA.code,
      scenario.links.adaLinkB.code,
      scenario.links.cleoLinkB.code,
      "ADA10",
      "32.50",
    ])
      expect(all).not.toContain(word);
  });
});
