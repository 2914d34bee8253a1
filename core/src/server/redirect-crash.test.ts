// Durability of the redirect: every click id a visitor received in a Location header is in the database,
// even when the server process is SIGKILLed while requests are still in flight.
import { Agent, request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTestLink, type TestLink } from "../clicks/test-links.ts";
import { openDatabase } from "../db/client.ts";
import { firstLine, killTsxChildren, startTsxChild, type TsxChild } from "../testing/child-process.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";

const CHILD = fileURLToPath(new URL("./redirect-crash-child.ts", import.meta.url));

let database: TestDatabase;
let link: TestLink;

beforeAll(async () => {
  database = await createTestDatabase();
  link = await insertTestLink(database.db);
});

afterAll(async () => {
  killTsxChildren();
  await database.destroy();
});

async function startServer(databaseUrl: string, writeDelayMs: number): Promise<{ child: TsxChild; url: string }> {
  const child = startTsxChild(CHILD, { DATABASE_URL: databaseUrl, WRITE_DELAY_MS: String(writeDelayMs) });
  return { child, url: (await firstLine<{ url: string }>(child)).url };
}

function get(url: string, agent: Agent, userAgent: string): Promise<{ status: number; location: string | null }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers: { "user-agent": userAgent } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, location: res.headers.location ?? null });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("redirect server killed with SIGKILL", () => {
  // With slow writes many groups are in flight at the kill: only answering after the commit passes then.
  it.each([0, 20])(
    "has stored every click id it sent in a Location header (writes delayed %i ms)",
    async (writeDelayMs) => {
      const server = await startServer(database.url, writeDelayMs);
      const agent = new Agent({ keepAlive: true, maxSockets: 32 });
      const total = 300;
      const killAfter = 250;
      const seen: string[] = [];
      let answered = 0;
      let killed = false;
      const requests = Array.from({ length: total }, (_, i) =>
        get(`${server.url}/c/${link.code}`, agent, `Mozilla/5.0 (crash-test ${i % 40}) Chrome/120.0`).then(
          (response) => {
            if (killed) return;
            expect(response.status).toBe(302);
            const clickId = new URL(response.location!).searchParams.get("tm_click");
            if (clickId !== null) seen.push(clickId);
            if (++answered === killAfter) {
              killed = true;
              server.child.kill();
            }
          },
          () => {}, // connections cut by the kill
        ),
      );
      await Promise.all(requests);
      agent.destroy();
      await server.child.gone();
      expect(seen.length).toBeGreaterThanOrEqual(killAfter);

      const reopened = openDatabase(database.url);
      try {
        const stored = await reopened.db.click.findMany({ where: { id: { in: seen } }, select: { id: true } });
        const storedIds = new Set(stored.map((c) => c.id));
        expect(seen.filter((id) => !storedIds.has(id))).toEqual([]);
        expect(await reopened.db.click.count({ where: { linkId: link.linkId } })).toBeGreaterThanOrEqual(seen.length);
      } finally {
        await reopened.close();
      }
    },
  );
});
