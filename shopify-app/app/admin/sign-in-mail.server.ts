import { CoreEnvSchema, parseEnv } from "@trailmark/core/config";
import { createSmtpMailer } from "@trailmark/core/portal";

// How a one-time sign-in link reaches the owner: by email through SMTP_URL (from MAIL_FROM) when it is set, as
// the creator portal's links do; otherwise printed to the server log in development, and off in production.
// A host process may register its own mailer instead (tests, or a process that shares one transport).

export type SignInMailer = (message: { to: string; url: string; expiresAt: Date }) => Promise<void>;

const MAILER = Symbol.for("trailmark.admin.sign-in-mailer");
type Holder = typeof globalThis & { [MAILER]?: SignInMailer };

export function registerSignInMailer(mailer: SignInMailer | null): void {
  if (mailer) (globalThis as Holder)[MAILER] = mailer;
  else delete (globalThis as Holder)[MAILER];
}

const logMailer: SignInMailer = async ({ to, url, expiresAt }) => {
  console.info(
    `sign-in link for ${to} (development: printed, not emailed; valid until ${expiresAt.toISOString()}): ${url}`,
  );
};

const MailEnvSchema = CoreEnvSchema.pick({ SMTP_URL: true, MAIL_FROM: true });
let smtp: { config: string; mailer: ReturnType<typeof createSmtpMailer> } | null = null;

/** The SMTP mailer for the environment's SMTP_URL, made on first use and made again when the settings change. */
function smtpMailer(): SignInMailer | null {
  const env = parseEnv(MailEnvSchema);
  if (!env.SMTP_URL) return null;
  const config = `${env.SMTP_URL}\n${env.MAIL_FROM}`;
  if (smtp?.config !== config) {
    smtp?.mailer.close();
    smtp = { config, mailer: createSmtpMailer(env.SMTP_URL, env.MAIL_FROM) };
  }
  const { mailer } = smtp;
  return (message) => mailer.sendSignInLink({ ...message, audience: "owner" });
}

/** The mailer in use, or null when sign-in links are off. */
export function signInMailer(): SignInMailer | null {
  const registered = (globalThis as Holder)[MAILER];
  if (registered) return registered;
  return smtpMailer() ?? (process.env.NODE_ENV === "production" ? null : logMailer);
}
