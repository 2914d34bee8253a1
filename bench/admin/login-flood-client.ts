// The flood of bench/admin/login-flood.ts, in a process of its own so that its event loop is not the one the
// visitor's page is timed on: `login-flood-client.ts <url> <cookie> <csrf> <flooders>`. Floods from the first
// "start" message until "stop", then sends back how the posts were answered and exits.
const [url, cookie, csrf, flooders] = process.argv.slice(2) as [string, string, string, string];
const answers = new Map<number, number>();
let flooding = false;
let attempt = 0;
let running: Promise<void>[] = [];

async function flooder(): Promise<void> {
  while (flooding) {
    const n = attempt++;
    const response = await fetch(`${url}/admin/login`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie,
        "x-forwarded-for": `198.18.${(n >> 8) & 255}.${n & 255}`,
      },
      body: new URLSearchParams({
        _csrf: csrf,
        intent: "password",
        email: n % 2 === 0 ? "owner@flood.example.com" : `nobody-${n}@flood.example.com`,
        password: `wrong password ${n}`,
      }),
      redirect: "manual",
    });
    await response.arrayBuffer();
    answers.set(response.status, (answers.get(response.status) ?? 0) + 1);
  }
}

process.on("message", async (message) => {
  if (message === "start") {
    flooding = true;
    running = Array.from({ length: Number(flooders) }, flooder);
  } else if (message === "stop") {
    flooding = false;
    await Promise.all(running);
    process.send!(Object.fromEntries([...answers].sort()), () => process.exit(0));
  }
});
process.send!("ready");
