// Runs the redirect server alone: `tsx core/src/server/serve-redirects.ts`. Reads DATABASE_URL, PORT
// (0 = any free port), HOST and TRUST_PROXY (true or 1, as the core environment parses it); prints one JSON line {"url": …} once it listens, which the
// crash test and the benchmark wait for. SIGTERM/SIGINT close it gracefully.
import { CoreEnvSchema, parseEnv } from "../config/env.ts";
import { startRedirectServer } from "./redirect-server.ts";

const { TRUST_PROXY } = parseEnv(CoreEnvSchema.pick({ TRUST_PROXY: true }));
const server = await startRedirectServer({
  port: Number(process.env.PORT ?? 0),
  host: process.env.HOST ?? "127.0.0.1",
  trustProxy: TRUST_PROXY,
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("shutdown failed", error);
        process.exit(1);
      },
    );
  });
}
