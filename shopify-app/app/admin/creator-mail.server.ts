import { CoreEnvSchema, parseEnv } from "@trailmark/core/config";
import {
  createLogMailer,
  createSmtpMailer,
  type MessageMailer,
  type Mailer as SignInMailer,
} from "@trailmark/core/portal";

type Mailer = SignInMailer & MessageMailer;

// The mailer creator mails (welcome, rejection) go through from the admin: SMTP_URL when set, as the portal's
// sign-in links, else the log. A host process may register its own (tests, a process sharing one transport).

const MAILER = Symbol.for("trailmark.admin.creator-mailer");
type Holder = typeof globalThis & { [MAILER]?: Mailer };

export function registerCreatorMailer(mailer: Mailer | null): void {
  if (mailer) (globalThis as Holder)[MAILER] = mailer;
  else delete (globalThis as Holder)[MAILER];
}

const MailEnvSchema = CoreEnvSchema.pick({ SMTP_URL: true, MAIL_FROM: true });
let smtp: { config: string; mailer: ReturnType<typeof createSmtpMailer> } | null = null;
const logMailer = createLogMailer();

export function creatorMailer(): Mailer {
  const registered = (globalThis as Holder)[MAILER];
  if (registered) return registered;
  const env = parseEnv(MailEnvSchema);
  if (!env.SMTP_URL) return logMailer;
  const config = `${env.SMTP_URL}\n${env.MAIL_FROM}`;
  if (smtp?.config !== config) {
    smtp?.mailer.close();
    smtp = { config, mailer: createSmtpMailer(env.SMTP_URL, env.MAIL_FROM) };
  }
  return smtp.mailer;
}
