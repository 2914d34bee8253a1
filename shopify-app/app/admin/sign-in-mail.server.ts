// How a one-time sign-in link reaches the owner. No mail service is configured yet: in development the link
// is printed to the server log; in production link sign-in stays off until a mailer is registered here.

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

/** The mailer in use, or null when sign-in links are off. */
export function signInMailer(): SignInMailer | null {
  const registered = (globalThis as Holder)[MAILER];
  if (registered) return registered;
  return process.env.NODE_ENV === "production" ? null : logMailer;
}
