import { openDatabase, sql } from "/work/wt/webhooks/core/src/db/client.ts";
const d = openDatabase("file:/tmp/wh/t.db");
const t = new Date();
console.log(await d.db.$queryRaw(sql`SELECT "id", "nextAttemptAt", ${t} AS p, typeof(${t}) AS tp, "nextAttemptAt" <= ${t} AS due FROM "WebhookInbox"`));
await d.close();
