import { parseArgs } from "node:util";
import type { Db } from "../db/client.ts";
import {
  approvePayoutRun,
  cancelPayout,
  cancelPayoutRun,
  createPayoutRun,
  executePayoutRun,
  listPayoutRuns,
  markPayoutPaid,
  type PayoutDeps,
  type PayoutRunView,
  payoutRunCsv,
  reconcilePayouts,
  retryPayout,
} from "../payouts/index.ts";
import { setCreatorPayoutMethod, startStripeOnboarding, updatePayoutSettings } from "../payouts/payout-settings.ts";
import type { PayoutProviders } from "../payouts/provider.ts";
import { providersFromEnv } from "../payouts/providers-from-env.ts";
import { WEEKDAYS } from "../payouts/schedule.ts";
import type { StripeConnectProvider } from "../payouts/stripe-provider.ts";
import { AppError } from "../shared/errors.ts";
import { formatMoney } from "../shared/money.ts";
import { emitter, explainCliError, need, UsageError } from "./cli-errors.ts";
import { formatTable } from "./table.ts";

// `trailmark payout …`. The lead wires it into the CLI; it takes the arguments after "payout" (a leading
// "payout" is accepted too).

export const PAYOUT_USAGE = `trailmark payout <command> [options]

  payout run --store <id> [--approve]
      Plans a run from approved commissions past their hold (one payout per creator and currency, clawbacks
      netted, balances under the store's minimum carried over) and shows the draft. --approve approves it and
      sends it (also done when the store approves automatically).
  payout approve --store <id> --run <id>      approve a draft run and send it
  payout list --store <id>                    runs and their payouts
  payout csv --run <id> [--store <id>]        the run as CSV, for paying by hand
  payout mark-paid --store <id> --payout <id> [--reference <text>]   a manual payout was paid
  payout retry --store <id> --payout <id>     send a failed payout again
  payout cancel --store <id> (--payout <id> | --run <id>)   its commissions go back to the next run
  payout reconcile [--store <id>]             ask providers about payouts left processing
  payout settings --store <id> [--schedule manual|weekly|twice_monthly|monthly] [--auto-approve true|false]
                  [--provider manual|stripe|paypal] [--day <weekly: 1=Mon..7=Sun; monthly: 1-28>]
                  [--holding-days <days new campaigns hold commissions>]
  payout method --store <id> --creator <id> (--paypal <email> | --manual "<key>=<value>;…" | --stripe)
      --stripe prints a Stripe Connect onboarding link (needs --return-url and --refresh-url)

Providers come from the environment: STRIPE_SECRET_KEY; PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET
(PAYPAL_API_BASE=https://api-m.sandbox.paypal.com for the sandbox). Add --json for machine-readable output.`;

export interface PayoutCommandDeps {
  db: Db;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Defaults to providersFromEnv(). */
  providers?: PayoutProviders;
  now?: () => Date;
}

const OPTIONS = {
  store: { type: "string" },
  run: { type: "string" },
  payout: { type: "string" },
  creator: { type: "string" },
  reference: { type: "string" },
  schedule: { type: "string" },
  "auto-approve": { type: "string" },
  provider: { type: "string" },
  day: { type: "string" },
  "holding-days": { type: "string" },
  paypal: { type: "string" },
  manual: { type: "string" },
  stripe: { type: "boolean" },
  "return-url": { type: "string" },
  "refresh-url": { type: "string" },
  approve: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function runLines(run: PayoutRunView): string[] {
  const lines = [
    `run ${run.id} (${run.trigger}, ${run.status}) cut off ${run.cutoff.toISOString()}: ${
      run.totals.map((t) => `${t.count} payout(s) ${formatMoney(t.amount, t.currency)}`).join(", ") || "nothing to pay"
    }`,
  ];
  if (run.payouts.length > 0) {
    lines.push(
      formatTable(
        ["payout", "creator", "amount", "method", "status", "reference / reason"],
        run.payouts.map((p) => [
          p.id,
          p.creatorId,
          formatMoney(p.amount, p.currency),
          p.method,
          p.status,
          p.failureReason ?? p.lastError ?? p.providerReference ?? "",
        ]),
      ),
    );
  }
  for (const c of run.carryOver) {
    lines.push(`carried over: ${c.creatorId} ${formatMoney(c.balance, c.currency)} (${c.reason.replaceAll("_", " ")})`);
  }
  return lines;
}

function parseDetails(text: string): Record<string, string> {
  const details: Record<string, string> = {};
  for (const part of text.split(";")) {
    if (!part.trim()) continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw new UsageError(`--manual must look like "iban=DE89…;name=Ada", got "${text}"`);
    details[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return details;
}

export async function runPayoutCommand(argv: string[], deps: PayoutCommandDeps): Promise<number> {
  const args = argv[0] === "payout" ? argv.slice(1) : argv;
  try {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    const command = positionals[0];
    if (values.help || !command) {
      deps.out(PAYOUT_USAGE);
      return values.help ? 0 : 2;
    }
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const emit = emitter(values.json, deps.out);
    const { db } = deps;
    const now = () => deps.now?.() ?? new Date();
    let providers: PayoutProviders | undefined = deps.providers;
    const payoutDeps = (): PayoutDeps => {
      providers ??= providersFromEnv();
      return { providers, now };
    };
    switch (command) {
      case "run": {
        let run = await createPayoutRun(db, need(values, "store"), { now: now(), approve: values.approve });
        if (run.status === "approved") run = await executePayoutRun(db, run.storeId, run.id, payoutDeps());
        emit(run, () => runLines(run));
        return run.payouts.some((p) => p.status === "failed") ? 1 : 0;
      }
      case "approve": {
        const storeId = need(values, "store");
        await approvePayoutRun(db, storeId, need(values, "run"), { now: now() });
        const run = await executePayoutRun(db, storeId, need(values, "run"), payoutDeps());
        emit(run, () => runLines(run));
        return run.payouts.some((p) => p.status === "failed") ? 1 : 0;
      }
      case "list": {
        const runs = await listPayoutRuns(db, need(values, "store"));
        emit(runs, () => (runs.length === 0 ? ["no payout runs yet"] : runs.flatMap((r) => [...runLines(r), ""])));
        return 0;
      }
      case "csv": {
        const csv = await payoutRunCsv(db, need(values, "run"), values.store);
        deps.out(csv.replace(/\r\n$/, ""));
        return 0;
      }
      case "mark-paid": {
        const payout = await markPayoutPaid(db, need(values, "store"), need(values, "payout"), {
          reference: values.reference ?? null,
          now: now(),
        });
        emit(payout, () => [`payout ${payout.id} is paid (${formatMoney(payout.amount, payout.currency)})`]);
        return 0;
      }
      case "retry": {
        const payout = await retryPayout(db, need(values, "store"), need(values, "payout"), payoutDeps());
        emit(payout, () => [
          `payout ${payout.id} is ${payout.status}${payout.failureReason ? `: ${payout.failureReason}` : ""}`,
        ]);
        return payout.status === "failed" ? 1 : 0;
      }
      case "cancel": {
        const storeId = need(values, "store");
        if (values.payout) {
          const payout = await cancelPayout(db, storeId, values.payout, { now: now() });
          emit(payout, () => [`payout ${payout.id} is cancelled; its commissions go to the next run`]);
        } else {
          const run = await cancelPayoutRun(db, storeId, need(values, "run"), { now: now() });
          emit(run, () => [`payout run ${run.id} is cancelled; its commissions go to the next run`]);
        }
        return 0;
      }
      case "reconcile": {
        const summary = await reconcilePayouts(db, payoutDeps(), { storeId: values.store });
        emit(summary, () => [
          `checked ${summary.checked}: ${summary.paid} paid, ${summary.failed} failed, ${summary.processing} still processing${
            summary.skipped ? `, ${summary.skipped} skipped (provider not configured)` : ""
          }`,
        ]);
        return 0;
      }
      case "settings": {
        const autoApprove = values["auto-approve"];
        if (autoApprove !== undefined && autoApprove !== "true" && autoApprove !== "false") {
          throw new UsageError(`--auto-approve must be true or false, got "${autoApprove}"`);
        }
        const whole = (name: "day" | "holding-days") => {
          const v = values[name];
          if (v === undefined) return undefined;
          if (!/^\d{1,3}$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
          return Number(v);
        };
        const payoutDay = whole("day");
        const holdingDays = whole("holding-days");
        const settings = await updatePayoutSettings(db, need(values, "store"), {
          schedule: values.schedule as "manual" | undefined,
          autoApprove: autoApprove === undefined ? undefined : autoApprove === "true",
          provider: values.provider as "manual" | undefined,
          ...(payoutDay === undefined ? {} : { payoutDay }),
          ...(holdingDays === undefined ? {} : { holdingDays }),
        });
        const on =
          settings.schedule === "weekly"
            ? ` on ${WEEKDAYS[settings.payoutDay - 1]}s`
            : settings.schedule === "monthly"
              ? ` on day ${settings.payoutDay}`
              : "";
        emit(settings, () => [
          `store ${settings.storeId}: ${settings.schedule} runs${on}, ${settings.autoApprove ? "approved automatically" : "reviewed before sending"}, default method ${settings.provider}, new campaigns hold commissions ${settings.holdingDays} days`,
        ]);
        return 0;
      }
      case "method": {
        const storeId = need(values, "store");
        const creatorId = need(values, "creator");
        const chosen = [values.paypal !== undefined, values.manual !== undefined, values.stripe === true];
        if (chosen.filter(Boolean).length !== 1) throw new UsageError("give one of --paypal, --manual or --stripe");
        if (values.stripe) {
          const stripe = payoutDeps().providers.stripe as StripeConnectProvider | undefined;
          if (!stripe) throw new AppError("invalid", "Stripe is not configured (STRIPE_SECRET_KEY)");
          const link = await startStripeOnboarding(db, storeId, creatorId, stripe, {
            returnUrl: need(values, "return-url"),
            refreshUrl: need(values, "refresh-url"),
          });
          emit(link, () => [
            `creator ${creatorId} is paid through Stripe account ${link.accountId}`,
            `onboarding link (single use, expires ${link.expiresAt.toISOString()}):`,
            `  ${link.url}`,
          ]);
          return 0;
        }
        const account = await setCreatorPayoutMethod(
          db,
          storeId,
          creatorId,
          values.paypal !== undefined
            ? { method: "paypal", paypalEmail: values.paypal }
            : { method: "manual", details: parseDetails(values.manual ?? "") },
        );
        emit(account, () => [`creator ${creatorId} is paid through ${account.method}`]);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "payout ${command}"`);
    }
  } catch (error) {
    const code = explainCliError(error, PAYOUT_USAGE, deps.err);
    if (code !== null) return code;
    throw error;
  }
}
