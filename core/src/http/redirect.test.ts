import http from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClickRecorder } from "../clicks/click-recorder.ts";
import type { ClickWriter } from "../clicks/click-writer.ts";
import { createLinkCache } from "../clicks/link-cache.ts";
import { openClickWriter } from "../clicks/open-click-writer.ts";
import { insertTestLink, type TestLink } from "../clicks/test-links.ts";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { redirectRoute } from "../server/tracking-routes.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import type { RequestContext } from "./context.ts";
import { createRedirectHandler, createRedirectResolver, type RedirectHandler } from "./redirect.ts";

const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const IP = "203.0.113.77";

let database: TestDatabase;
let handler: RedirectHandler;
let writer: ClickWriter;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  writer = openClickWriter(database);
  const recorder = createClickRecorder({ db: database.db, provider: database.provider, writer });
  await recorder.start();
  const links = createLinkCache({ db: database.db });
  const resolve = createRedirectResolver({ links, recorder });
  handler = createRedirectHandler(resolve);
  // The node:http route must answer /c/ itself: the fetch handler behind it fails every request.
  server = await serveFetch(() => Promise.reject(new Error("the fetch handler was reached")), {
    port: 0,
    host: "127.0.0.1",
    trustProxy: true,
    nodeRoutes: [redirectRoute(resolve)],
  });
});

afterAll(async () => {
  await server.close();
  await writer.close();
  await database.destroy();
});

type Transport = "fetch handler" | "node:http route";
let transport: Transport = "fetch handler";

interface ClickInit {
  method?: string;
  ua?: string | null;
  ip?: string;
  headers?: Record<string, string>;
  query?: string;
}

function click(code: string, init: ClickInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.ua !== null) headers.set("user-agent", init.ua ?? CHROME);
  const path = `/c/${code}${init.query ?? ""}`;
  if (transport === "node:http route") return overHttp(path, init.method ?? "GET", headers, init.ip ?? IP);
  const ctx: RequestContext = { clientIp: init.ip ?? IP };
  return handler(new Request(`https://t.example${path}`, { method: init.method ?? "GET", headers }), ctx);
}

// node:http rather than fetch: fetch would follow or refuse some of what the tests send (Host, HEAD bodies).
function overHttp(path: string, method: string, headers: Headers, ip: string): Promise<Response> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port, path, method, headers: { ...Object.fromEntries(headers), "x-forwarded-for": ip } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(response.headers))
            if (typeof value === "string") out.set(name, value);
          const body = response.statusCode === 302 || method === "HEAD" ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status: response.statusCode!, headers: out }));
        });
      },
    );
    request.on("error", reject);
    request.end();
  });
}

function clickIdOf(response: Response): string | null {
  return new URL(response.headers.get("location")!).searchParams.get("tm_click");
}

async function clicksOf(link: TestLink) {
  return database.db.click.findMany({ where: { linkId: link.linkId }, orderBy: { occurredAt: "asc" } });
}

describe.each<Transport>(["fetch handler", "node:http route"])("GET /c/:code through the %s", (via) => {
  beforeAll(() => {
    transport = via;
  });

  it("answers an unknown code with a 404 HTML page", async () => {
    const response = await click("nosuchcode");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toContain("This link does not exist");
  });

  it("answers a malformed code with a 404", async () => {
    for (const code of ["ab", "a".repeat(65), "bad%20code", "abc/def"]) {
      expect((await click(code)).status).toBe(404);
    }
  });

  it("redirects to the destination with its query and fragment kept and the tracking parameters added", async () => {
    const link = await insertTestLink(database.db, {
      destinationUrl: "https://shop.example/p/mug?color=blue&utm_source=newsletter#reviews",
      lookbackDays: 14,
    });
    const response = await click(link.code);
    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    const location = new URL(response.headers.get("location")!);
    expect(location.origin + location.pathname).toBe("https://shop.example/p/mug");
    expect(location.hash).toBe("#reviews");
    const clickId = location.searchParams.get("tm_click")!;
    expect(clickId).toMatch(/^tm_[0-9A-Za-z]{16}$/);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      color: "blue",
      utm_source: "trailmark",
      utm_medium: "influencer",
      utm_campaign: "summer-sale-2026",
      utm_content: "zoe-martin",
      utm_id: clickId,
      tm_click: clickId,
      tm_lb: "14",
    });
    const rows = await clicksOf(link);
    expect(rows).toMatchObject([
      { id: clickId, qualification: "qualified", storeId: link.storeId, campaignId: link.campaignId },
    ]);
  });

  it("never takes the destination from the request", async () => {
    const link = await insertTestLink(database.db, { destinationUrl: "https://shop.example/landing" });
    const response = await click(link.code, {
      query: "?url=https://evil.example/&destination=https://evil.example/&redirect=//evil.example",
      headers: { referer: "https://evil.example/", host: "evil.example", "x-forwarded-host": "evil.example" },
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.origin + location.pathname).toBe("https://shop.example/landing");
    expect(response.headers.get("location")).not.toContain("evil");
  });

  it("redirects a paused link plainly and records nothing", async () => {
    const link = await insertTestLink(database.db, { linkStatus: "paused" });
    const response = await click(link.code);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(link.destinationUrl);
    expect(await clicksOf(link)).toEqual([]);
  });

  it("redirects plainly and records nothing when the campaign is not live", async () => {
    const hour = 3_600_000;
    const links = await Promise.all([
      insertTestLink(database.db, { campaignStatus: "ended" }),
      insertTestLink(database.db, { campaignStatus: "paused" }),
      insertTestLink(database.db, { endsAt: new Date(Date.now() - hour) }),
      insertTestLink(database.db, { startsAt: new Date(Date.now() + hour) }),
    ]);
    for (const link of links) {
      const response = await click(link.code);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(link.destinationUrl);
      expect(await clicksOf(link)).toEqual([]);
    }
  });

  it("records bots and HEAD requests as bot clicks and redirects them without a click id", async () => {
    const link = await insertTestLink(database.db);
    const bots = [
      await click(link.code, { ua: "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)" }),
      await click(link.code, { ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" }),
      await click(link.code, { ua: null }),
      await click(link.code, { method: "HEAD" }),
    ];
    for (const response of bots) {
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(link.destinationUrl);
    }
    const rows = await clicksOf(link);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.qualification === "bot")).toBe(true);
  });

  it("qualifies one click per visitor per link per hour and records the rest as repeats", async () => {
    const link = await insertTestLink(database.db);
    const first = await click(link.code, { ip: "198.51.100.1" });
    const second = await click(link.code, { ip: "198.51.100.1" });
    const otherIp = await click(link.code, { ip: "198.51.100.2" });
    const otherUa = await click(link.code, { ip: "198.51.100.1", ua: `${CHROME} Edg/120.0` });
    const ids = [first, second, otherIp, otherUa].map(clickIdOf);
    expect(ids.every((id) => id !== null)).toBe(true);
    expect(new Set(ids).size).toBe(4);
    const byId = new Map((await clicksOf(link)).map((r) => [r.id, r.qualification]));
    expect(ids.map((id) => byId.get(id!))).toEqual(["qualified", "repeat", "qualified", "qualified"]);
  });

  it("stores a click for every redirect it answers", async () => {
    const link = await insertTestLink(database.db);
    const responses = [];
    for (let i = 0; i < 25; i++) responses.push(await click(link.code, { ip: `192.0.2.${i % 5}` }));
    expect(responses.every((r) => r.status === 302)).toBe(true);
    expect(await database.db.click.count({ where: { linkId: link.linkId } })).toBe(25);
  });

  it("keeps the country and the referrer host but never the raw IP or the full referrer", async () => {
    const link = await insertTestLink(database.db);
    const ip = "203.0.113.199";
    await click(link.code, {
      ip,
      headers: { "cf-ipcountry": "NL", referer: "https://www.instagram.com/p/Cabc123/?igsh=private" },
    });
    const rows = await clicksOf(link);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ country: "NL", referrerHost: "www.instagram.com" });
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(ip);
    expect(stored).not.toContain("igsh");
    expect(rows[0]!.visitorHash).toMatch(/^[0-9a-f]{32}$/);
  });

  it("records every one of 200 parallel clicks", async () => {
    const link = await insertTestLink(database.db);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        click(link.code, { ip: i % 2 === 0 ? "198.51.100.50" : `198.51.100.${i}` }),
      ),
    );
    expect(responses.every((r) => r.status === 302)).toBe(true);
    const ids = responses.map(clickIdOf);
    const rows = await clicksOf(link);
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
    // The 100 clicks from one address qualify once; the 100 from distinct addresses all qualify.
    expect(rows.filter((r) => r.qualification === "qualified")).toHaveLength(101);
  });

  it("rejects methods other than GET and HEAD", async () => {
    const link = await insertTestLink(database.db);
    const response = await click(link.code, { method: "POST" });
    expect(response.status).toBe(405);
    expect(await clicksOf(link)).toEqual([]);
  });
});

describe("GET /c/:code when clicks cannot be written", () => {
  it("still redirects, without a click id, and reports the failure once", async () => {
    const link = await insertTestLink(database.db);
    const failing: ClickWriter = {
      write: () => Promise.reject(new Error("database is locked")),
      close: async () => {},
    };
    const onWriteError = vi.fn();
    const recorder = createClickRecorder({
      db: database.db,
      provider: database.provider,
      writer: failing,
      onWriteError,
    });
    const failingHandler = createRedirectHandler(
      createRedirectResolver({ links: createLinkCache({ db: database.db }), recorder }),
    );
    for (let i = 0; i < 3; i++) {
      const response = await failingHandler(
        new Request(`https://t.example/c/${link.code}`, { headers: { "user-agent": CHROME } }),
        {
          clientIp: IP,
        },
      );
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(link.destinationUrl);
    }
    expect(onWriteError).toHaveBeenCalledTimes(1);
    expect(await clicksOf(link)).toEqual([]);
  });
});
