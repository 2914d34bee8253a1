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

export interface Mailer {
  sendSignInLink(mail: SignInMail): Promise<void>;
}

/** A rendered mail to a creator (core/src/mail): the store's name as sender name, both parts, a fixed Message-ID. */
export interface OutgoingMail {
  to: string;
  /** Shown as the sender's name; the address is MAIL_FROM's. */
  fromName: string;
  subject: string;
  text: string;
  html: string;
  /** `<id@host>`: the same for every attempt at one outbox row. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface MessageMailer {
  /** Resolves once the server accepted the mail; rejects when it did not (nothing was delivered). */
  send(mail: OutgoingMail): Promise<void>;
}

/** Prints the link (and a creator mail's text) with console.info instead of sending it. */
export function createLogMailer(): Mailer & MessageMailer {
  return {
    async send({ to, fromName, subject, text, messageId }) {
      console.info(`mail to ${to} from ${fromName} (printed, not emailed; ${messageId}): ${subject}\n${text}`);
    },
    async sendSignInLink({ to, url, expiresAt, audience = "creator" }) {
      console.info(
        `${audience} sign-in link for ${to} (printed, not emailed; valid until ${expiresAt.toISOString()}): ${url}`,
      );
    },
  };
}

/** Keeps every mail in memory (tests, demos). */
export function createMemoryMailer(): Mailer & MessageMailer & { sent: SignInMail[]; messages: OutgoingMail[] } {
  const sent: SignInMail[] = [];
  const messages: OutgoingMail[] = [];
  return {
    sent,
    messages,
    async send(mail) {
      messages.push(mail);
    },
    async sendSignInLink(mail) {
      sent.push(mail);
    },
  };
}

/**
 * Sends the link by SMTP. `url` is an SMTP URL: `smtp://user:pass@host:587` (STARTTLS when the server offers
 * it) or `smtps://user:pass@host:465` (TLS from the start); `from` is the sender, e.g.
 * `Trailmark <no-reply@example.com>`. Rejects when the server does not accept the mail.
 */
export function createSmtpMailer(url: string, from: string): Mailer & MessageMailer & { close(): void } {
  const transport = createTransport(url);
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
  return {
    async send(mail) {
      await transport.sendMail({
        from: { name: mail.fromName, address },
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
      });
    },
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
    close() {
      transport.close();
    },
  };
}
