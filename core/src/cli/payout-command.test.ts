import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ManualPayoutProvider } from "../payouts/manual-provider.ts";
import { StripeConnectProvider } from "../payouts/stripe-provider.ts";
import { AFTER_HOLD, seedApproved } from "../payouts/testing/seed.ts";
import { fakeStripe } from "../payouts/testing/stripe-handlers.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { runPayoutCommand } from "./payout-command.ts";

const server = setupServer();
let database: TestDatabase;
beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  database = await createTestDatabase();
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await database.destroy();
});

function cli() {
  const stripe = fakeStripe();
  server.use(...stripe.handlers);
  const out: string[] = [];
  const err: string[] = [];
  const deps = {
    db: database.db,
    out: (line: string) => out.push(line),
    err: (line: string) => err.push(line),
    providers: {
      stripe: new StripeConnectProvider({ secretKey: stripe.secretKey }),
      manual: new ManualPayoutProvider(),
    },
    now: () => AFTER_HOLD,
  };
  const run = async (...argv: string[]) => {
    out.length = 0;
    err.length = 0;
    const code = await runPayoutCommand(argv, deps);
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  return { stripe, run };
}

describe("trailmark payout", () => {
  it("plans a draft run, lists it, exports it and pays it by hand", async () => {
    const { run } = cli();
    const program = await seedApproved(database.db, [
      { name: "Ada", orders: [50_000] },
      { name: "Ben", orders: [10_000] },
    ]);
    const storeId = program.store.id;
    expect(
      await run(
        "payout",
        "method",
        "--store",
        storeId,
        "--creator",
        program.creators[0]!.id,
        "--manual",
        "iban=DE89 3704",
      ),
    ).toMatchObject({ code: 0 });

    const planned = await run("run", "--store", storeId, "--json");
    expect(planned.code).toBe(0);
    const draft = JSON.parse(planned.out);
    expect(draft).toMatchObject({ status: "draft", totals: [{ currency: "USD", amount: 5000, count: 1 }] });
    expect(draft.carryOver).toEqual([
      { creatorId: program.creators[1]!.id, currency: "USD", balance: 1000, reason: "below_minimum" },
    ]);

    const listed = await run("list", "--store", storeId);
    expect(listed.out).toContain(`run ${draft.id} (manual, draft)`);
    expect(listed.out).toContain("50.00 USD");
    expect(listed.out).toContain("carried over");

    const approved = await run("approve", "--store", storeId, "--run", draft.id);
    expect(approved.code).toBe(0);
    expect(approved.out).toContain("processing");

    const csv = await run("csv", "--run", draft.id);
    expect(csv.out.split("\r\n")[1]).toContain("50.00,USD,manual,iban: DE89 3704,processing");

    const payoutId = draft.payouts[0].id;
    expect(await run("mark-paid", "--store", storeId, "--payout", payoutId, "--reference", "wire-7")).toMatchObject({
      code: 0,
      out: `payout ${payoutId} is paid (50.00 USD)`,
    });
    expect((await run("list", "--store", storeId)).out).toContain(`run ${draft.id} (manual, completed)`);
  });

  it("sends an approved run through Stripe with --approve", async () => {
    const { run, stripe } = cli();
    const program = await seedApproved(database.db, [{ name: "Ada", email: "ada@example.com", orders: [50_000] }]);
    const storeId = program.store.id;
    const method = await run(
      "method",
      "--store",
      storeId,
      "--creator",
      program.creators[0]!.id,
      "--stripe",
      "--return-url",
      "https://app.example.com/done",
      "--refresh-url",
      "https://app.example.com/again",
    );
    expect(method.out).toMatch(/onboarding link .*\n {2}https:\/\/connect\.stripe\.com\//);
    const result = await run("run", "--store", storeId, "--approve");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/completed.*1 payout\(s\) 50\.00 USD/);
    expect(stripe.transfers).toHaveLength(1);
    expect((await run("reconcile", "--store", storeId)).out).toBe("checked 0: 0 paid, 0 failed, 0 still processing");
  });

  it("explains usage errors and unknown ids", async () => {
    const { run } = cli();
    expect(await run("run")).toMatchObject({ code: 2, err: /missing --store/ });
    expect(await run("fly")).toMatchObject({ code: 2, err: /unknown command "payout fly"/ });
    expect(await run("csv", "--run", "pr_nope")).toMatchObject({
      code: 1,
      err: "trailmark: payout run pr_nope not found",
    });
    expect(await run("settings", "--store", "st_nope", "--schedule", "weekly")).toMatchObject({ code: 1 });
    expect(await run()).toMatchObject({ code: 2 });
    expect((await run("--help")).code).toBe(0);
  });

  it("changes a store's schedule and approval setting", async () => {
    const { run } = cli();
    const program = await seedApproved(database.db, [{ name: "Ada", orders: [50_000] }]);
    const result = await run(
      "settings",
      "--store",
      program.store.id,
      "--schedule",
      "twice_monthly",
      "--auto-approve",
      "true",
    );
    expect(result).toMatchObject({ code: 0, out: /twice_monthly runs, approved automatically, default method manual/ });
    expect(
      await run("settings", "--store", program.store.id, "--schedule", "monthly", "--day", "15", "--holding-days", "7"),
    ).toMatchObject({ code: 0, out: /monthly runs on day 15, .* new campaigns hold commissions 7 days/ });
    expect(await run("settings", "--store", program.store.id, "--schedule", "weekly", "--day", "3")).toMatchObject({
      code: 0,
      out: /weekly runs on Wednesdays/,
    });
    expect(await run("settings", "--store", program.store.id, "--day", "9")).toMatchObject({
      code: 1,
      err: /payout day: must be a weekday/,
    });
    expect(await run("settings", "--store", program.store.id, "--holding-days", "soon")).toMatchObject({
      code: 2,
      err: /--holding-days must be a whole number/,
    });
    expect(await run("settings", "--store", program.store.id, "--schedule", "daily")).toMatchObject({
      code: 1,
      err: /invalid input: schedule/,
    });
  });
});
