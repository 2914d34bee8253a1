import { createTransport } from "nodemailer";

// How a one-time sign-in link reaches a creator (the portal) or a store owner (the standalone admin).
// Development prints it to the log; production sends it over SMTP (`SMTP_URL`, see the README).

export interface SignInMail {
  to: string;
  url: string;
  expiresAt: Date;
  /** Who signs in with it, which decides the mail's wording; creators when absent. */
  audience?: "creator" | "owner";
}

const PLACE = { creator: "your Trailmark creator portal", owner: "your store's Trailmark admin" } as const;

/** Any other mail: plain text, with an HTML part when given; `fromName` replaces the sender's display name. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  fromName?: string;
}

export interface Mailer {
  sendSignInLink(mail: SignInMail): Promise<void>;
  send(mail: OutgoingMail): Promise<void>;
}

/** Prints the link with console.info instead of sending it. */
export function createLogMailer(): Mailer {
  return {
    async sendSignInLink({ to, url, expiresAt, audience = "creator" }) {
      console.info(
        `${audience} sign-in link for ${to} (printed, not emailed; valid until ${expiresAt.toISOString()}): ${url}`,
      );
    },
    async send({ to, subject, text }) {
      console.info(`mail to ${to} (printed, not emailed): ${subject}\n${text}`);
    },
  };
}

/** Keeps every mail in memory (tests, demos). */
export function createMemoryMailer(): Mailer & { sent: SignInMail[]; mails: OutgoingMail[] } {
  const sent: SignInMail[] = [];
  const mails: OutgoingMail[] = [];
  return {
    sent,
    mails,
    async sendSignInLink(mail) {
      sent.push(mail);
    },
    async send(mail) {
      mails.push(mail);
    },
  };
}

/**
 * Sends the link by SMTP. `url` is an SMTP URL: `smtp://user:pass@host:587` (STARTTLS when the server offers
 * it) or `smtps://user:pass@host:465` (TLS from the start); `from` is the sender, e.g.
 * `Trailmark <no-reply@example.com>`. Rejects when the server does not accept the mail.
 */
export function createSmtpMailer(url: string, from: string): Mailer & { close(): void } {
  const transport = createTransport(url);
  return {
    async sendSignInLink({ to, url: link, expiresAt, audience = "creator" }) {
      const until = expiresAt
        .toISOString()
        .replace("T", " ")
        .replace(/:\d\d\.\d+Z$/, " UTC");
      await transport.sendMail({
        from,
        to,
        subject: "Your Trailmark sign-in link",
        text: [
          `Open this link to sign in to ${PLACE[audience]}:`,
          "",
          link,
          "",
          `It works once, until ${until}.`,
          "If you did not ask for it, you can ignore this email.",
          "",
        ].join("\n"),
      });
    },
    async send({ to, subject, text, html, fromName }) {
      await transport.sendMail({ from: fromName ? withName(from, fromName) : from, to, subject, text, html });
    },
    close() {
      transport.close();
    },
  };
}

/** The sender with another display name: `Shop <no-reply@example.com>` from `Trailmark <no-reply@example.com>`. */
function withName(from: string, name: string): { name: string; address: string } {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
  return { name, address };
}
