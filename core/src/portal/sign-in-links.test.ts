import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_PENDING_SIGN_IN_LINKS, SIGN_IN_LINK_TTL_MS, SIGN_IN_LINK_WINDOW_MS } from "../shared/sign-in-link.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import { createPortal, type Portal } from "./index.ts";
import { createMemoryMailer } from "./mailer.ts";
import { call, csrfOf, form, openLink, requestLink, setCookieValue } from "./portal-test-kit.ts";
import { purgePortalSessions } from "./sessions.ts";

// How far sign-in links can be pushed: opening one (as a mail scanner does) spends nothing, and asking for
// links is limited per email (counted in the database) and per client address, with the same answer for
// every address either way.

let database: TestDatabase;
let clock = new Date("2026-05-04T08:00:00Z");
const mailer = createMemoryMailer();
let portal: Portal;

beforeAll(async () => {
  database = await createTestDatabase();
  portal = createPortal({ db: database.db, publicUrl: "https://go.example.com", mailer, now: () => clock });
  await seedProgram(database.db, {
    creators: [
      { name: "Cleo", email: "cleo@example.com" },
      { name: "Dev", email: "dev@example.com" },
      { name: "Eve", email: "eve@example.com" },
      { name: "Fay", email: "fay@example.com" },
    ],
  });
});
afterAll(async () => {
  await database?.destroy();
});

async function lastLinkFor(email: string, ip?: string): Promise<string | null> {
  const before = mailer.sent.length;
  await requestLink(portal, email, ip);
  return mailer.sent.length > before ? mailer.sent.at(-1)!.url : null;
}

const strip = async (response: Response, email: string) => (await response.text()).replaceAll(email, "EMAIL");

describe("an emailed sign-in link", () => {
  it("is not spent by opening it, however often; only its button signs in", async () => {
    clock = new Date("2026-05-04T08:00:00Z");
    const link = (await lastLinkFor("cleo@example.com", "10.1.0.1"))!;
    const url = new URL(link);
    for (let i = 0; i < 3; i++) {
      const scanned = await call(portal, `${url.pathname}${url.search}`);
      expect(scanned.status).toBe(200);
      expect(setCookieValue(scanned, "tm_portal")).toBeUndefined();
    }
    expect((await call(portal, `${url.pathname}${url.search}`, { method: "HEAD" })).status).toBe(405);
    expect(await database.db.creatorSignInToken.count({ where: { usedAt: null } })).toBe(1);
    const { answer } = await openLink(portal, link);
    expect(answer!.status).toBe(303);
    expect(setCookieValue(answer!, "tm_portal")).toBeTruthy();
  });

  it("is not spent by a POST without the page's CSRF token, as another site would send it", async () => {
    const link = (await lastLinkFor("cleo@example.com", "10.1.0.2"))!;
    const token = new URL(link).searchParams.get("token")!;
    const page = await call(portal, `/portal/auth?token=${encodeURIComponent(token)}`);
    const csrf = csrfOf(await page.text());
    // A cross-site form post carries no SameSite=Lax cookie; a forged field does not match the cookie.
    expect((await call(portal, "/portal/auth", form({ csrf, token }, ""))).status).toBe(403);
    expect((await call(portal, "/portal/auth", form({ csrf: "forged", token }, `tm_portal_csrf=${csrf}`))).status).toBe(
      403,
    );
    expect((await call(portal, "/portal/auth", form({ token }, `tm_portal_csrf=${csrf}`))).status).toBe(403);
    const { answer } = await openLink(portal, link);
    expect(answer!.status).toBe(303);
  });
});

describe("asking for sign-in links", () => {
  it(`sends at most ${MAX_PENDING_SIGN_IN_LINKS} unused links per email an hour, answering alike past that`, async () => {
    clock = new Date("2026-05-05T08:00:00Z");
    const links: string[] = [];
    for (let i = 0; i < MAX_PENDING_SIGN_IN_LINKS; i++) {
      clock = new Date(clock.getTime() + 60_000);
      links.push((await lastLinkFor("dev@example.com", `10.2.0.${i}`))!);
    }
    expect(links.every((l) => l !== null)).toBe(true);

    // One more: nothing is sent, and the answer matches that for an address nobody has.
    const before = mailer.sent.length;
    const limited = await requestLink(portal, "dev@example.com", "10.2.1.1");
    const unknown = await requestLink(portal, "nobody@example.com", "10.2.1.2");
    expect(mailer.sent.length).toBe(before);
    expect(limited.status).toBe(unknown.status);
    expect(await strip(limited, "dev@example.com")).toBe(await strip(unknown, "nobody@example.com"));
    // Other addresses are not held back.
    expect(await lastLinkFor("eve@example.com", "10.2.1.3")).not.toBeNull();

    // Signing in with one of the links frees a place: an owner of the inbox is never locked out by using it.
    expect((await openLink(portal, links[0]!)).answer!.status).toBe(303);
    expect(await lastLinkFor("dev@example.com", "10.2.1.4")).not.toBeNull();
    expect(await lastLinkFor("dev@example.com", "10.2.1.5")).toBeNull();

    // An hour after the oldest unused link, the next one may go.
    clock = new Date(new Date("2026-05-05T08:02:00Z").getTime() + SIGN_IN_LINK_WINDOW_MS + 1);
    expect(await lastLinkFor("dev@example.com", "10.2.1.6")).not.toBeNull();
  });

  it("holds across portals sharing the database, as across processes", async () => {
    clock = new Date("2026-05-06T08:00:00Z");
    const other = createPortal({ db: database.db, publicUrl: "https://go.example.com", mailer, now: () => clock });
    for (let i = 0; i < MAX_PENDING_SIGN_IN_LINKS; i++) {
      const before = mailer.sent.length;
      await requestLink(i % 2 === 0 ? portal : other, "fay@example.com", `10.3.0.${i}`);
      expect(mailer.sent.length).toBe(before + 1);
    }
    const before = mailer.sent.length;
    await requestLink(other, "fay@example.com", "10.3.1.0");
    await requestLink(portal, "fay@example.com", "10.3.1.1");
    expect(mailer.sent.length).toBe(before);
  });

  it("keeps counting unused links that have expired until the hour is over, then purges them", async () => {
    const { db } = database;
    const created = new Date("2026-05-06T08:00:00Z");
    // Fay's links from the test before, all unused.
    const unusedSince = () => db.creatorSignInToken.count({ where: { createdAt: { gte: created }, usedAt: null } });
    expect(await unusedSince()).toBe(MAX_PENDING_SIGN_IN_LINKS);
    await purgePortalSessions(db, new Date(created.getTime() + SIGN_IN_LINK_TTL_MS + 60_000));
    expect(await unusedSince()).toBe(MAX_PENDING_SIGN_IN_LINKS);
    await purgePortalSessions(db, new Date(created.getTime() + SIGN_IN_LINK_WINDOW_MS + SIGN_IN_LINK_TTL_MS));
    expect(await unusedSince()).toBe(0);
  });

  it("limits requests per client address whatever the emails, with the same answer", async () => {
    clock = new Date("2026-05-07T08:00:00Z");
    const limited = createPortal({
      db: database.db,
      publicUrl: "https://go.example.com",
      mailer,
      now: () => clock,
      linkRequestsPerAddress: 2,
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const sentFrom = async (email: string, clientIp: string) => {
        const before = mailer.sent.length;
        const answer = await requestLink(limited, email, clientIp);
        return { sent: mailer.sent.length - before, answer };
      };
      expect((await sentFrom("cleo@example.com", "10.4.0.1")).sent).toBe(1);
      expect((await sentFrom("eve@example.com", "10.4.0.1")).sent).toBe(1);
      const third = await sentFrom("dev@example.com", "10.4.0.1");
      expect(third.sent).toBe(0);
      const unknown = await sentFrom("nobody@example.com", "10.4.0.9");
      expect(third.answer.status).toBe(unknown.answer.status);
      expect(await strip(third.answer, "dev@example.com")).toBe(await strip(unknown.answer, "nobody@example.com"));
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("10.4.0.1"));
      // Another address is not affected. The limit slides: the two requests still count in full at the start
      // of the next 15-minute window and age out through it (weighted by how much of theirs is still recent).
      expect((await sentFrom("cleo@example.com", "10.4.0.2")).sent).toBe(1);
      clock = new Date(clock.getTime() + 15 * 60_000);
      expect((await sentFrom("eve@example.com", "10.4.0.1")).sent).toBe(0);
      clock = new Date(clock.getTime() + 8 * 60_000);
      expect((await sentFrom("eve@example.com", "10.4.0.1")).sent).toBe(1);
    } finally {
      warn.mockRestore();
    }
  });
});
