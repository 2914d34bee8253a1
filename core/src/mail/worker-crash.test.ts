// The worker killed with SIGKILL (a separate process) at the two moments that matter, against a real SMTP
// server: after it claimed a mail (nothing sent: the mail is sent once after the restart) and between the
// server accepting a mail and the worker recording it (the mail was delivered: the restart does not send it
// again, and records it as unknown). In both cases the recipient sees the mail exactly once.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import { startTestSmtpServer, type TestSmtpServer } from "../testing/smtp-server.ts";
import { enqueueCreatorMail } from "./outbox.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TSX = join(ROOT, "node_modules/.bin/tsx");
const CHILD = join(ROOT, "core/src/mail/testing/worker-child.ts");
const LEASE_MS = 1000;

let database: TestDatabase;
let smtp: TestSmtpServer;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  for (const child of children) killGroup(child);
  await smtp.close();
  await database.destroy();
});

// tsx runs the script in a second node process, so the kill goes to the whole process group.
function killGroup(proc: ChildProcess): void {
  try {
    process.kill(-proc.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

async function groupGone(proc: ChildProcess): Promise<void> {
  for (;;) {
    try {
      process.kill(-proc.pid!, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Starts the worker process and resolves with it and its first line of output. */
async function worker(
  mode: string,
  leaseMs = LEASE_MS,
): Promise<{ proc: ChildProcess; line: Record<string, unknown> }> {
  const proc = spawn(TSX, [CHILD], {
    env: { ...process.env, DATABASE_URL: database.url, SMTP_URL: smtp.url(), MODE: mode, LEASE_MS: String(leaseMs) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  proc.stderr!.on("data", (d: Buffer) => process.stderr.write(d));
  for await (const line of createInterface({ input: proc.stdout! }))
    return { proc, line: JSON.parse(line) as Record<string, unknown> };
  throw new Error("the worker exited without a word");
}

async function kill(proc: ChildProcess) {
  killGroup(proc);
  await groupGone(proc);
}

function messageIds(raws: readonly string[]): string[] {
  return raws.map((raw) => /^Message-ID: (.*)$/im.exec(raw)?.[1] ?? "");
}

describe("the creator mail worker killed with SIGKILL", () => {
  it("sends a mail it had only claimed once after the restart, and never resends one the server accepted", {
    timeout: 120_000,
  }, async () => {
    const { db } = database;
    const { store, creators } = await seedProgram(db, {
      creators: [{ name: "Ada", email: "ada@example.com" }],
    });
    const mail = async (n: number) => {
      await enqueueCreatorMail(db, {
        storeId: store.id,
        creatorId: creators[0]!.id,
        kind: "application_rejected",
        data: { reason: `reason ${n}` },
        dedupKey: `application_rejected:ap_${n}`,
      });
      return (await db.creatorMail.findFirstOrThrow({ where: { dedupKey: `application_rejected:ap_${n}` } })).id;
    };

    // 1. Killed after claiming: nothing reached the server; the restart (after the lease) sends it, once.
    const first = await mail(1);
    const claiming = await worker("after-claim");
    expect(claiming.line).toEqual({ claimed: first });
    await kill(claiming.proc);
    expect(smtp.pending).toHaveLength(0);
    expect(await db.creatorMail.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ status: "claimed" });
    await new Promise((r) => setTimeout(r, LEASE_MS + 100));
    const restart = await worker("run");
    expect(restart.line).toMatchObject({ sent: 1, unknown: 0 });
    const delivered = await smtp.nextMail();
    expect(messageIds([delivered.raw])).toEqual([`<${first}@trailmark.example.com>`]);
    expect(await db.creatorMail.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ status: "sent" });

    // 2. Killed between the server's acceptance and the mark: delivered once, and not again after the restart.
    const second = await mail(2);
    // A long lease, so that the first restart below comes while it lasts (starting a process takes seconds).
    const sendingLease = 15_000;
    const sending = await worker("after-send", sendingLease);
    const leaseEnds = Date.now() + sendingLease;
    expect(sending.line).toEqual({ sent: second });
    await kill(sending.proc);
    const accepted = await smtp.nextMail();
    expect(messageIds([accepted.raw])).toEqual([`<${second}@trailmark.example.com>`]);
    expect(await db.creatorMail.findUniqueOrThrow({ where: { id: second } })).toMatchObject({ status: "sending" });
    // Within the lease, a restart leaves it alone (it may be another worker's mail in flight).
    const early = await worker("run");
    expect(early.line).toMatchObject({ sent: 0, unknown: 0 });
    await new Promise((r) => setTimeout(r, Math.max(leaseEnds - Date.now() + 100, 0)));
    const late = await worker("run");
    expect(late.line).toMatchObject({ sent: 0, unknown: 1 });
    const row = await db.creatorMail.findUniqueOrThrow({ where: { id: second } });
    expect(row).toMatchObject({ status: "unknown", attempts: 1 });
    expect(row.lastError).toMatch(/not resent/);
    // Neither mail arrives a second time.
    await expect(smtp.nextMail(1_000)).rejects.toThrow(/no mail arrived/);
    expect(smtp.pending).toHaveLength(0);
  });
});
