import { openDatabase } from "/work/wt/webhooks/core/src/db/client.ts";
import { migrate } from "/work/wt/webhooks/core/src/db/migrate.ts";
const d = openDatabase("file:/tmp/wh/t.db");
await migrate(d);
await d.close();
