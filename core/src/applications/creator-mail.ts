import { randomUUID } from "node:crypto";
import { escapeHtml } from "../portal/html.ts";
import type { MessageMailer } from "../portal/mailer.ts";

// The mails a creator receives about onboarding. One function sends them all, so the outbox (issue 16, mails
// kept in a table and sent by a worker) can take over the transport without touching the callers.

export type CreatorMail =
  | {
      kind: "welcome";
      to: string;
      storeName: string;
      creatorName: string;
      /** A one-time portal sign-in link. */
      signInUrl: string;
      /** Where to ask for a new link once that one is used or expired. */
      portalUrl: string;
      expiresAt: Date;
      links: { campaignName: string; url: string; discountCode: string | null }[];
    }
  | { kind: "rejected"; to: string; storeName: string; creatorName: string; reason: string };

interface Rendered {
  subject: string;
  lines: string[];
}

function render(mail: CreatorMail): Rendered {
  switch (mail.kind) {
    case "welcome":
      return {
        subject: `Welcome to ${mail.storeName}'s creator program`,
        lines: [
          `Hello ${mail.creatorName},`,
          "",
          `${mail.storeName} approved you as a creator. Your tracking links and discount codes:`,
          "",
          ...mail.links.flatMap((l) => [
            `${l.campaignName}: ${l.url}`,
            ...(l.discountCode ? [`  discount code: ${l.discountCode}`] : []),
          ]),
          "",
          "Sign in to your creator portal to see your results and choose how you are paid:",
          mail.signInUrl,
          "",
          `This link works once, until ${mail.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC. After that, ask for a new one at ${mail.portalUrl}`,
        ],
      };
    case "rejected":
      return {
        subject: `Your application to ${mail.storeName}'s creator program`,
        lines: [
          `Hello ${mail.creatorName},`,
          "",
          `Thank you for applying. ${mail.storeName} did not accept your application:`,
          "",
          mail.reason,
        ],
      };
  }
}

function toHtml(lines: string[]): string {
  const body = lines
    .map((line) => {
      const escaped = escapeHtml(line);
      return /^https?:\/\/\S+$/.test(line.trim()) ? `<a href="${escaped.trim()}">${escaped}</a>` : escaped;
    })
    .join("<br>\n");
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${body}</body></html>`;
}

export async function sendCreatorMail(mailer: MessageMailer, mail: CreatorMail): Promise<void> {
  const { subject, lines } = render(mail);
  await mailer.send({
    to: mail.to,
    subject,
    text: `${lines.join("\n")}\n`,
    html: toHtml(lines),
    fromName: mail.storeName,
    messageId: `<${randomUUID()}@trailmark>`,
  });
}
