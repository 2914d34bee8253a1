import { webhookHeaders, shopifyJson, numberedOrder } from "/work/wt/webhooks/shopify-app/test/webhooks.ts";
import { readFileSync } from "node:fs";
const url = JSON.parse(readFileSync("/tmp/wh/out.txt","utf8").split("\n")[0]).url;
const body = shopifyJson(numberedOrder(1));
const r = await fetch(url + "/webhooks/orders/create", { method: "POST", body, headers: webhookHeaders({ topic: "orders/create", body, secret: "s" }) });
console.log(r.status, await r.text());
