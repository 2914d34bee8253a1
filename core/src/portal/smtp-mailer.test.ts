import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import { createPortal } from "./index.ts";
import { createSmtpMailer } from "./mailer.ts";
import { call, requestLink, setCookieValue } from "./portal-test-kit.ts";

// The SMTP mailer against a real SMTP server on loopback (smtp-server), with AUTH PLAIN checked.

interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
}

const USER = "trailmark";
const PASS = "s3cret pass";
let server: SMTPServer;
let port: number;
const received: ReceivedMail[] = [];
const waiters: Array<(mail: ReceivedMail) => void> = [];
const authAttempts: string[] = [];

function nextMail(): Promise<ReceivedMail> {
  const ready = received.shift();
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no mail arrived within 5 s")), 5_000);
    waiters.push((mail) => {
      clearTimeout(timer);
      resolve(mail);
    });
  });
}

/** The text part as a mail client shows it: quoted-printable soft breaks and escapes undone. */
function bodyText(raw: string): string {
  const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
  return body
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function smtpUrl(user = USER, pass = PASS): string {
  return `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`;
}

let database: TestDatabase;

beforeAll(async () => {
  server = new SMTPServer({
    authMethods: ["PLAIN"],
    allowInsecureAuth: true, // loopback without TLS
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      authAttempts.push(auth.username ?? "");
      if (auth.username === USER && auth.password === PASS) callback(null, { user: auth.username });
      else callback(new Error("invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const mailFrom = session.envelope.mailFrom;
        const mail: ReceivedMail = {
          from: mailFrom ? mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        };
        const waiter = waiters.shift();
        if (waiter) waiter(mail);
        else received.push(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
  database = await createTestDatabase();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await database?.destroy();
});

describe("the SMTP mailer", () => {
  it("sends the sign-in link to the creator, authenticated with the URL's credentials", async () => {
    const mailer = createSmtpMailer(smtpUrl(), "Trailmark <no-reply@trailmark.test>");
    try {
      const url = `https://go.example.com/portal/auth?token=${"A".repeat(43)}`;
      await mailer.sendSignInLink({ to: "ada@example.com", url, expiresAt: new Date("2026-03-01T12:15:00Z") });
      const mail = await nextMail();
      expect(mail.to).toEqual(["ada@example.com"]);
      expect(mail.from).toBe("no-reply@trailmark.test");
      expect(authAttempts).toContain(USER);
      expect(mail.raw).toMatch(/^From: Trailmark <no-reply@trailmark\.test>\r$/m);
      expect(mail.raw).toMatch(/^To: ada@example\.com\r$/m);
      expect(mail.raw).toMatch(/^Subject: Your Trailmark sign-in link\r$/m);
      const text = bodyText(mail.raw);
      expect(text).toContain(url);
      expect(text).toContain("2026-03-01 12:15 UTC");
    } finally {
      mailer.close();
    }
  });

  it("rejects when the server refuses the credentials", async () => {
    const mailer = createSmtpMailer(smtpUrl(USER, "wrong"), "Trailmark <no-reply@trailmark.test>");
    try {
      await expect(
        mailer.sendSignInLink({
          to: "ada@example.com",
          url: "https://x.test/portal/auth?token=t",
          expiresAt: new Date(),
        }),
      ).rejects.toThrow(/invalid username or password/i);
    } finally {
      mailer.close();
    }
  });

  it("delivers the link a creator asks for on the portal, and the link signs them in", async () => {
    const { db } = database;
    await seedProgram(db, { creators: [{ name: "Ada", email: "ada@example.com" }] });
    const mailer = createSmtpMailer(smtpUrl(), "Trailmark <no-reply@trailmark.test>");
    try {
      const portal = createPortal({ db, publicUrl: "https://go.example.com", mailer });
      const answer = await requestLink(portal, "ada@example.com");
      expect(answer.status).toBe(200);
      const mail = await nextMail();
      expect(mail.to).toEqual(["ada@example.com"]);
      const match = /https:\/\/go\.example\.com(\/portal\/auth\?token=[\w-]{43})/.exec(bodyText(mail.raw));
      expect(match).not.toBeNull();
      const auth = await call(portal, match![1]!);
      expect(auth.status).toBe(303);
      expect(auth.headers.get("location")).toBe("/portal");
      expect(setCookieValue(auth, "tm_portal")).toBeTruthy();
    } finally {
      mailer.close();
    }
  });
});
