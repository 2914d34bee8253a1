import { createHash } from "node:crypto";

/** Emails are kept only as a SHA-256 of the trimmed, lower-cased address: enough to match, not to read. */
export function hashEmail(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
}

/** Customer references from the API or the browser are hashed the same way when they look like emails. */
export function hashCustomerRef(ref: string): string {
  return ref.includes("@") ? hashEmail(ref) : createHash("sha256").update(`ref:${ref.trim()}`).digest("hex");
}
