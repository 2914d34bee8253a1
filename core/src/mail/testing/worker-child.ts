// The creator mail worker in a process of its own, for the crash test (mail/worker-crash.test.ts). MODE:
//   run          send what is due, print the result as one JSON line, exit
//   after-claim  claim and render the first mail, print {"claimed": id}, then hang until killed
//   after-send   send the first mail, print {"sent": id} before recording it as sent, then hang until killed
import { openDatabase } from "../../db/client.ts";
import { createSmtpMailer } from "../../portal/mailer.ts";
import { sendDueCreatorMails } from "../worker.ts";

const mode = process.env.MODE ?? "run";
const database = openDatabase(process.env.DATABASE_URL!);
const mailer = createSmtpMailer(process.env.SMTP_URL!, "Trailmark <no-reply@trailmark.example.com>");
const hang = (key: string) => async (id: string) => {
  process.stdout.write(`${JSON.stringify({ [key]: id })}\n`);
  await new Promise(() => {});
};
const result = await sendDueCreatorMails({
  db: database.db,
  mailer,
  publicUrl: "https://trailmark.example.com",
  leaseMs: Number(process.env.LEASE_MS ?? 1000),
  ...(mode === "after-claim" ? { beforeSending: hang("claimed") } : {}),
  ...(mode === "after-send" ? { afterSend: hang("sent") } : {}),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
mailer.close();
await database.close();
process.exit(0);
