// How a creator's one-time sign-in link reaches them. Development prints it to the log; production will send it
// over SMTP (not built yet: see the portal section of the README).

export interface SignInMail {
  to: string;
  url: string;
  expiresAt: Date;
}

export interface Mailer {
  sendSignInLink(mail: SignInMail): Promise<void>;
}

/** Prints the link with console.info instead of sending it. */
export function createLogMailer(): Mailer {
  return {
    async sendSignInLink({ to, url, expiresAt }) {
      console.info(
        `creator sign-in link for ${to} (printed, not emailed; valid until ${expiresAt.toISOString()}): ${url}`,
      );
    },
  };
}

/** Keeps every mail in memory (tests, demos). */
export function createMemoryMailer(): Mailer & { sent: SignInMail[] } {
  const sent: SignInMail[] = [];
  return {
    sent,
    async sendSignInLink(mail) {
      sent.push(mail);
    },
  };
}
