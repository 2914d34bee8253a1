import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { formValues } from "@trailmark/core/admin";
import {
  approvePayoutRun,
  cancelPayout,
  cancelPayoutRun,
  checkPayoutProviders,
  executePayoutRun,
  getPayoutSettings,
  markPayoutPaid,
  PAYOUT_METHODS,
  PAYOUT_SCHEDULES,
  type PayoutDeps,
  payNow,
  payoutBalances,
  payoutHistory,
  payoutRunCsv,
  pendingCommissions,
  previewPayoutRun,
  providersFromEnv,
  reconcilePayouts,
  retryPayout,
  updatePayoutSettings,
  WEEKDAYS,
} from "@trailmark/core/payouts";
import { AppError, toMinorUnits } from "@trailmark/core/shared";
import { MAIL_DIGEST_AFTER_MAX, setStoreMailDigestAfter, setStoreMinimumPayout } from "@trailmark/core/stores";
import { z } from "zod";
import {
  attempt,
  done,
  fail,
  handleErrors,
  type RequireStoreContext,
  readForm,
  shellOf,
  toErrorResponse,
} from "../store-context.server.ts";

// Payouts: balances per creator and currency, "Pay now" (a preview, then a confirm that starts the run), the
// history of runs and payouts with every action the CLI's `payout` command offers, the run's CSV, and the
// store's payout settings. Every decision is core's (payout-admin.ts over payout-store.ts).

function payoutDeps(): PayoutDeps {
  return { providers: providersFromEnv() };
}

export async function payoutsLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => {
    const now = new Date();
    const [balances, preview, history, settings, pending] = await Promise.all([
      payoutBalances(ctx.db, ctx.storeId, now),
      previewPayoutRun(ctx.db, ctx.storeId, now),
      payoutHistory(ctx.db, ctx.storeId),
      getPayoutSettings(ctx.db, ctx.storeId),
      pendingCommissions(ctx.db, ctx.storeId),
    ]);
    const providers = providersFromEnv();
    return {
      shell: shellOf(ctx),
      balances,
      /** Each pending commission with the date it becomes approved, the soonest first. */
      pending,
      preview,
      history,
      settings,
      mailDigestAfter: ctx.store.mailDigestAfter,
      providers: PAYOUT_METHODS.map((method) => ({ method, configured: providers[method] !== undefined })),
      schedules: PAYOUT_SCHEDULES,
      weekdays: WEEKDAYS,
    };
  });
}

const IdSchema = z.string().min(1).max(100);
const SettingsSchema = z.object({
  schedule: z.enum(PAYOUT_SCHEDULES),
  autoApprove: z.enum(["true", "false"]),
  provider: z.enum(PAYOUT_METHODS),
  // Weekly: 1 (Monday) to 7 (Sunday); monthly: 1 to 28; absent for the other schedules.
  payoutDay: z.preprocess(
    (v) => (v === "" || v === undefined ? undefined : v),
    z.coerce.number({ error: "Choose the payout day." }).int().min(1).max(28).optional(),
  ),
  holdingDays: z.coerce
    .number({ error: "Enter the default holding period in whole days." })
    .int("Enter the default holding period in whole days.")
    .min(0, "The default holding period cannot be negative.")
    .max(365, "The default holding period is at most 365 days."),
  minimumPayout: z
    .string()
    .trim()
    .regex(/^\d{1,9}(\.\d{1,4})?$/, "Enter an amount such as 25.00"),
  // Absent (an older form) or empty: unchanged.
  mailDigestAfter: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce
      .number()
      .int("Enter a whole number")
      .min(0, "Enter 0 or more")
      .max(MAIL_DIGEST_AFTER_MAX, `Enter at most ${MAIL_DIGEST_AFTER_MAX}`)
      .optional(),
  ),
});

/** The ids a bulk action was posted with (checkboxes named `payoutId`). */
function payoutIdsOf(form: FormData): string[] {
  return form
    .getAll("payoutId")
    .filter((v): v is string => typeof v === "string" && IdSchema.safeParse(v).success)
    .slice(0, 500);
}

export async function payoutsAction({ request }: ActionFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  const { form, intent } = await readForm(request);
  const values = formValues(form);
  const { db, storeId } = ctx;
  const runId = IdSchema.safeParse(values.runId);
  switch (intent) {
    case "payNow": {
      const fingerprint = typeof values.fingerprint === "string" ? values.fingerprint : "";
      return attempt(intent, async () => {
        const run = await payNow(db, storeId, fingerprint, payoutDeps());
        const failed = run.payouts.filter((p) => p.status === "failed").length;
        return done(
          intent,
          `Run ${run.id} started: ${run.payouts.length} payout(s)${failed ? `, ${failed} failed (see below)` : ""}.`,
        );
      });
    }
    case "approveRun": {
      if (!runId.success) return fail(intent, { form: "no run given" });
      return attempt(intent, async () => {
        await approvePayoutRun(db, storeId, runId.data);
        const run = await executePayoutRun(db, storeId, runId.data, payoutDeps());
        return done(intent, `Run ${run.id} approved and sent.`);
      });
    }
    case "cancelRun": {
      if (!runId.success) return fail(intent, { form: "no run given" });
      return attempt(intent, async () => {
        await cancelPayoutRun(db, storeId, runId.data);
        return done(intent, `Run ${runId.data} cancelled: its commissions go to the next run.`);
      });
    }
    case "markPaid":
    case "retry":
    case "cancel": {
      const ids = payoutIdsOf(form);
      if (ids.length === 0) return fail(intent, { form: "Select at least one payout." });
      const reference =
        typeof values.reference === "string" && values.reference.trim() ? values.reference.trim() : null;
      // One payout's refusal never stops the others: each is reported.
      const problems: string[] = [];
      for (const id of ids) {
        try {
          if (intent === "markPaid") await markPayoutPaid(db, storeId, id, { reference: reference ?? "manual" });
          else if (intent === "retry") await retryPayout(db, storeId, id, payoutDeps());
          else await cancelPayout(db, storeId, id);
        } catch (error) {
          if (!(error instanceof AppError)) throw toErrorResponse(error);
          problems.push(error.message);
        }
      }
      const verb = { markPaid: "marked paid", retry: "retried", cancel: "cancelled" }[intent];
      const ok = ids.length - problems.length;
      if (ok === 0) return fail(intent, { form: problems.join("; ") }, 409);
      return done(intent, `${ok} payout(s) ${verb}.${problems.length ? ` Not done: ${problems.join("; ")}` : ""}`);
    }
    case "reconcile":
      return attempt(intent, async () => {
        const s = await reconcilePayouts(db, payoutDeps(), { storeId });
        return done(
          intent,
          `Checked ${s.checked}: ${s.paid} paid, ${s.failed} failed, ${s.processing} still processing.`,
        );
      });
    case "checkCredentials": {
      const checks = await checkPayoutProviders(providersFromEnv());
      return done(
        intent,
        checks
          .map(
            (c) =>
              `${c.method}: ${c.ok === null ? c.message : c.ok ? `works (${c.message})` : `refused: ${c.message}`}`,
          )
          .join(" · "),
      );
    }
    case "saveSettings": {
      const parsed = SettingsSchema.safeParse(values);
      if (!parsed.success) {
        const field = parsed.error.issues.find((i) =>
          ["minimumPayout", "holdingDays", "payoutDay", "mailDigestAfter"].includes(String(i.path[0])),
        );
        const label = {
          minimumPayout: "Minimum payout",
          holdingDays: "Holding period",
          payoutDay: "Payout day",
          mailDigestAfter: "Commission emails per day",
        };
        return fail(intent, {
          form: field
            ? `${label[field.path[0] as keyof typeof label]}: ${field.message}`
            : "Choose a schedule, an approval mode and a default method.",
        });
      }
      return attempt(intent, async () => {
        if (parsed.data.mailDigestAfter !== undefined)
          await setStoreMailDigestAfter(db, storeId, parsed.data.mailDigestAfter);
        await updatePayoutSettings(db, storeId, {
          schedule: parsed.data.schedule,
          ...(parsed.data.payoutDay === undefined ? {} : { payoutDay: parsed.data.payoutDay }),
          autoApprove: parsed.data.autoApprove === "true",
          provider: parsed.data.provider,
          holdingDays: parsed.data.holdingDays,
        });
        await setStoreMinimumPayout(db, storeId, toMinorUnits(parsed.data.minimumPayout, ctx.store.currency));
        return done(intent, "Payout settings saved.");
      });
    }
    default:
      return fail(intent, { form: "unknown action" });
  }
}

/** The run as CSV, for paying by hand. */
export async function payoutCsvLoader(
  { request, params }: LoaderFunctionArgs,
  requireStoreContext: RequireStoreContext,
) {
  const ctx = await requireStoreContext(request);
  const csv = await handleErrors(() => payoutRunCsv(ctx.db, params.id ?? "", ctx.storeId));
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="trailmark-payout-${(params.id ?? "run").replace(/[^\w-]/g, "")}.csv"`,
      "cache-control": "no-store",
    },
  });
}
