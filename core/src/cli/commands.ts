import { parseArgs } from "node:util";
import { createOwner } from "../admin/owner-accounts.ts";
import { ATTRIBUTION_MODELS } from "../attribution/index.ts";
import { type CommissionRule, GOALS, type Goal } from "../campaigns/campaign.ts";
import {
  createCampaign,
  listCampaigns,
  requireCampaign,
  setCampaignStatus,
  updateCommissionPlan,
} from "../campaigns/campaign-store.ts";
import {
  type CommissionPlan,
  CommissionPlanSchema,
  METRICS,
  PERIODS,
  type ProductRule,
} from "../campaigns/commission-plan.ts";
import { describeCommissionRules } from "../campaigns/describe-commission.ts";
import { describePlan } from "../campaigns/describe-plan.ts";
import { createCreator, listCreators } from "../creators/creator.ts";
import type { Db } from "../db/client.ts";
import { createDiscountCode, createLink, listLinks } from "../links/link-store.ts";
import { COMMISSION_BASES, type CommissionBase } from "../orders/commission-base.ts";
import { campaignReport, reportJson, storeReport } from "../reports/campaign-report.ts";
import { reportText } from "../reports/report-text.ts";
import { formatMinorUnits, toMinorUnits } from "../shared/money.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../stores/api-keys.ts";
import { createStore, listStores, requireStore } from "../stores/store.ts";
import { explainCliError, UsageError } from "./cli-errors.ts";
import { runPayoutCommand } from "./payout-command.ts";
import { formatTable } from "./table.ts";

export interface CliDeps {
  db: Db;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where tracking links are served, e.g. http://localhost:3000. */
  publicUrl: string;
  /** Subcommands contributed by other workspaces (the WooCommerce bridge's `woo`). */
  extra?: Record<string, (argv: string[]) => Promise<number>>;
}

export const USAGE = `trailmark <command> [options]

  store create --platform <shopify|woocommerce|custom> --domain <host> [--currency USD] [--name <name>]
  store list
  campaign create --store <id> --name <name> [--goal purchase]... [--model last_click] [--lookback 30]
                  [--half-life 7] [--commission 10% | --commission 5.00] [--goal-commission sign_up=2.00]...
                  [--base items|order_total] [--min-order 0] [--holding <days: the store's default, 30 unless set>] [--budget <amount>] [--starts <date>] [--ends <date>]
  campaign list --store <id>
  campaign rules --store <id> --campaign <id>   (prints the campaign's commission rules; with any of these, replaces them)
                 [--rate product|variant|collection:<id>=15%|1.50/unit|excluded]...
                 [--tier-by sales|conversions] [--tier-period month|quarter|year|campaign] [--tier <threshold>=15%]...
                 [--bonus <name>:sales|conversions:<goal>[@month|quarter|year|campaign]=<amount>]... [--clear]
  campaign pause|resume|end --store <id> --campaign <id>
  creator create --store <id> --name <name> [--email <email>]
  creator list --store <id>
  link create --store <id> --campaign <id> --creator <id> --destination <url> [--code <code>]
  link list --store <id>
  code create --store <id> --campaign <id> --creator <id> --code <DISCOUNT>
  owner create --store <id> --email <email> [--password <password>]   (sign-in for the standalone admin, /admin)
  apikey create --store <id> [--name <name>]
  apikey list --store <id>
  apikey revoke --store <id> --key <key id>
  report --store <id> [--campaign <id>] [--from <date>] [--to <date>] [--json]   (all campaigns without --campaign)
  payout run|list|csv|approve|mark-paid|retry|cancel|reconcile|settings|method …   (trailmark payout --help)
  woo connect|disconnect …                                                         (trailmark woo --help)

Add --json to create and list commands for machine-readable output.`;

function need(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.length === 0) throw new UsageError(`missing --${name}`);
  return v;
}

/** "10%" -> percentage in basis points; "5.00" -> a flat amount in the currency's minor units. */
/** --base: what percentages are paid on (orders/commission-base.ts). */
function commissionBaseOption(text: string | undefined): CommissionBase | undefined {
  if (text === undefined) return undefined;
  const base = COMMISSION_BASES.find((b) => b === text);
  if (!base) throw new UsageError(`--base must be ${COMMISSION_BASES.join(" or ")}, got "${text}"`);
  return base;
}

export function parseCommission(text: string, currency: string): CommissionRule {
  const pct = /^(\d+(?:\.\d{1,2})?)%$/.exec(text.trim());
  if (pct) {
    const basisPoints = Math.round(Number(pct[1]) * 100);
    if (basisPoints > 10_000) throw new UsageError(`commission ${text} is over 100%`);
    return { type: "percentage", basisPoints };
  }
  try {
    return { type: "flat", amount: toMinorUnits(text, currency) };
  } catch {
    throw new UsageError(`commission must look like 10% or 5.00, got "${text}"`);
  }
}

const TARGETS = ["product", "variant", "collection"] as const;

/** The commission plan the `campaign rules` flags describe (a plan replaces the campaign's whole). */
function planFromFlags(
  values: { rate?: string[]; tier?: string[]; bonus?: string[]; "tier-by"?: string; "tier-period"?: string },
  currency: string,
): CommissionPlan {
  const productRules = (values.rate ?? []).map((spec): ProductRule => {
    const match = /^(product|variant|collection):([^=]+)=(.+)$/.exec(spec.trim());
    if (!match) throw new UsageError(`--rate must look like product:123=15%, got "${spec}"`);
    const [, target, id, rate] = match;
    const text = rate!.trim();
    if (text === "excluded") return { target: target as (typeof TARGETS)[number], id: id!, rate: { type: "excluded" } };
    const perUnit = /^(.+)\/unit$/.exec(text);
    if (perUnit) {
      const amount = parseCommission(perUnit[1]!, currency);
      if (amount.type !== "flat") throw new UsageError(`--rate per unit must be an amount such as 1.50/unit`);
      return { target: target as (typeof TARGETS)[number], id: id!, rate: { type: "per_unit", amount: amount.amount } };
    }
    const pct = parseCommission(text, currency);
    if (pct.type !== "percentage") throw new UsageError(`--rate must be 15%, 1.50/unit or excluded, got "${text}"`);
    return { target: target as (typeof TARGETS)[number], id: id!, rate: pct };
  });
  const metric = values["tier-by"] ?? (values.tier?.length ? "sales" : undefined);
  if (metric !== undefined && !(METRICS as readonly string[]).includes(metric))
    throw new UsageError(`--tier-by must be ${METRICS.join(" or ")}, got "${metric}"`);
  const period = values["tier-period"] ?? "month";
  if (!(PERIODS as readonly string[]).includes(period))
    throw new UsageError(`--tier-period must be one of ${PERIODS.join(", ")}, got "${period}"`);
  const goalValue = (text: string, by: string, flag: string) => {
    if (by === "conversions") {
      if (!/^\d+$/.test(text))
        throw new UsageError(`${flag}: a number of conversions is a whole number, got "${text}"`);
      return Number(text);
    }
    const amount = parseCommission(text, currency);
    if (amount.type !== "flat") throw new UsageError(`${flag}: sales are an amount such as 1000.00, got "${text}"`);
    return amount.amount;
  };
  const steps = (values.tier ?? []).map((spec) => {
    const [threshold, rate] = spec.split("=");
    const pct = rate ? parseCommission(rate, currency) : null;
    if (!threshold || !pct || pct.type !== "percentage")
      throw new UsageError(`--tier must look like 1000.00=15%, got "${spec}"`);
    return { threshold: goalValue(threshold, metric ?? "sales", "--tier"), basisPoints: pct.basisPoints };
  });
  if (metric !== undefined && steps.length === 0) throw new UsageError("--tier-by needs at least one --tier");
  const bonuses = (values.bonus ?? []).map((spec) => {
    const match = /^([^:]+):(sales|conversions):([^=@]+)(?:@([a-z]+))?=(.+)$/.exec(spec.trim());
    if (!match) throw new UsageError(`--bonus must look like ten-sales:conversions:10@month=50.00, got "${spec}"`);
    const [, key, by, goal, bonusPeriod, amount] = match;
    const paid = parseCommission(amount!, currency);
    if (paid.type !== "flat") throw new UsageError(`--bonus amount must be an amount such as 50.00, got "${amount}"`);
    return {
      key: key!,
      metric: by,
      period: bonusPeriod ?? "month",
      threshold: goalValue(goal!, by!, "--bonus"),
      amount: paid.amount,
    };
  });
  const parsed = CommissionPlanSchema.safeParse({
    productRules,
    tiers: metric === undefined ? null : { metric, period, steps },
    bonuses,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`commission rules: ${issue.path.join(".") || "plan"}: ${issue.message}`);
  }
  return parsed.data;
}

function parseDate(text: string | undefined, name: string): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} is not a date: "${text}"`);
  return d;
}

function int(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  return Number(text);
}

const OPTIONS = {
  platform: { type: "string" },
  domain: { type: "string" },
  currency: { type: "string" },
  name: { type: "string" },
  store: { type: "string" },
  campaign: { type: "string" },
  creator: { type: "string" },
  goal: { type: "string", multiple: true },
  model: { type: "string" },
  lookback: { type: "string" },
  "half-life": { type: "string" },
  commission: { type: "string" },
  "goal-commission": { type: "string", multiple: true },
  rate: { type: "string", multiple: true },
  "tier-by": { type: "string" },
  "tier-period": { type: "string" },
  tier: { type: "string", multiple: true },
  bonus: { type: "string", multiple: true },
  clear: { type: "boolean" },
  base: { type: "string" },
  "min-order": { type: "string" },
  holding: { type: "string" },
  budget: { type: "string" },
  starts: { type: "string" },
  ends: { type: "string" },
  email: { type: "string" },
  destination: { type: "string" },
  code: { type: "string" },
  key: { type: "string" },
  password: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs one CLI command; returns the process exit code. Errors are explained, never thrown. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const [group, action] = argv;
  if (group && deps.extra?.[group]) return deps.extra[group]!(argv.slice(1));
  if (group === "payout") return runPayoutCommand(argv.slice(1), { db: deps.db, out: deps.out, err: deps.err });
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help || !group) {
      deps.out(USAGE);
      return values.help ? 0 : 2;
    }
    const emit = (data: unknown, text: () => string) => deps.out(values.json ? JSON.stringify(data, null, 2) : text());
    const { db } = deps;
    const command = `${positionals[0]} ${positionals[1] ?? ""}`.trim();
    switch (command) {
      case "store create": {
        const { store, created } = await createStore(db, {
          platform: need(values, "platform") as "custom",
          domain: need(values, "domain"),
          currency: values.currency,
          name: values.name,
        });
        emit(
          store,
          () =>
            `${created ? "created" : "exists"} store ${store.id} (${store.platform} ${store.domain}, ${store.currency})`,
        );
        return 0;
      }
      case "store list": {
        const stores = await listStores(db);
        emit(stores, () =>
          formatTable(
            ["id", "platform", "domain", "currency", "status"],
            stores.map((s) => [s.id, s.platform, s.domain, s.currency, s.status]),
          ),
        );
        return 0;
      }
      case "campaign create": {
        const store = await requireStore(db, need(values, "store"));
        const currency = values.currency ?? store.currency;
        const goals = (values.goal ?? ["purchase"]) as Goal[];
        for (const g of goals)
          if (!GOALS.includes(g)) throw new UsageError(`--goal must be one of ${GOALS.join(", ")}`);
        if (values.model && !(ATTRIBUTION_MODELS as readonly string[]).includes(values.model)) {
          throw new UsageError(`--model must be one of ${ATTRIBUTION_MODELS.join(", ")}`);
        }
        const rules: Partial<Record<Goal, CommissionRule>> = {};
        if (values.commission) for (const g of goals) rules[g] = parseCommission(values.commission, currency);
        for (const spec of values["goal-commission"] ?? []) {
          const [goal, amount] = spec.split("=");
          if (!goal || !amount || !GOALS.includes(goal as Goal))
            throw new UsageError(`--goal-commission must look like sign_up=2.00, got "${spec}"`);
          rules[goal as Goal] = parseCommission(amount, currency);
        }
        const campaign = await createCampaign(db, store.id, {
          name: need(values, "name"),
          goals,
          attributionModel: values.model as "last_click" | undefined,
          lookbackDays: int(values.lookback, "lookback"),
          halfLifeDays: values["half-life"] === undefined ? undefined : Number(values["half-life"]),
          commissionRules: Object.keys(rules).length ? rules : undefined,
          commissionBase: commissionBaseOption(values.base),
          minOrderValue: values["min-order"] === undefined ? undefined : toMinorUnits(values["min-order"], currency),
          holdingDays: int(values.holding, "holding"),
          budgetCap: values.budget === undefined ? undefined : toMinorUnits(values.budget, currency),
          currency,
          startsAt: parseDate(values.starts, "starts") ?? null,
          endsAt: parseDate(values.ends, "ends") ?? null,
        });
        emit(
          campaign,
          () =>
            `created campaign ${campaign.id} "${campaign.name}": ${describeCommissionRules(campaign.commissionRules, campaign.currency)} (${campaign.attributionModel}, ${campaign.lookbackDays}-day lookback)`,
        );
        return 0;
      }
      case "campaign list": {
        const campaigns = await listCampaigns(db, need(values, "store"));
        emit(campaigns, () =>
          formatTable(
            ["id", "name", "status", "commission", "model", "base", "lookback", "currency", "budget used", "cap"],
            campaigns.map((c) => [
              c.id,
              c.name,
              c.status,
              describeCommissionRules(c.commissionRules, c.currency),
              c.attributionModel,
              c.commissionBase,
              c.lookbackDays,
              // The budget counts only commissions in the campaign's currency.
              c.currency,
              formatMinorUnits(c.budgetUsed, c.currency),
              c.budgetCap === null ? "-" : formatMinorUnits(c.budgetCap, c.currency),
            ]),
          ),
        );
        return 0;
      }
      case "campaign rules": {
        const storeId = need(values, "store");
        const campaign = await requireCampaign(db, storeId, need(values, "campaign"));
        const changing =
          values.clear || values.rate || values.tier || values.bonus || values["tier-by"] || values["tier-period"];
        const updated = changing
          ? await updateCommissionPlan(db, storeId, campaign.id, planFromFlags(values, campaign.currency))
          : campaign;
        const words = describePlan(updated.commissionPlan, updated.commissionRules.purchase ?? null, updated.currency);
        emit(updated.commissionPlan, () =>
          words.length ? words.join("\n") : "no commission rules: every purchase earns the campaign's rate",
        );
        return 0;
      }
      case "campaign pause":
      case "campaign resume":
      case "campaign end": {
        const status = action === "pause" ? "paused" : action === "end" ? "ended" : "active";
        await setCampaignStatus(db, need(values, "store"), need(values, "campaign"), status);
        emit({ status }, () => `campaign ${values.campaign} is ${status}`);
        return 0;
      }
      case "creator create": {
        const creator = await createCreator(db, need(values, "store"), {
          name: need(values, "name"),
          email: values.email,
        });
        emit(creator, () => `created creator ${creator.id} "${creator.name}"`);
        return 0;
      }
      case "creator list": {
        const creators = await listCreators(db, need(values, "store"));
        emit(creators, () =>
          formatTable(
            ["id", "name", "email", "status"],
            creators.map((c) => [c.id, c.name, c.email ?? "", c.status]),
          ),
        );
        return 0;
      }
      case "link create": {
        const link = await createLink(db, need(values, "store"), {
          campaignId: need(values, "campaign"),
          creatorId: need(values, "creator"),
          destinationUrl: need(values, "destination"),
          code: values.code,
        });
        const url = `${deps.publicUrl}/c/${link.code}`;
        emit({ ...link, trackingUrl: url }, () => `created link ${link.id}: ${url} -> ${link.destinationUrl}`);
        return 0;
      }
      case "link list": {
        const links = await listLinks(db, need(values, "store"));
        emit(
          links.map((l) => ({ ...l, trackingUrl: `${deps.publicUrl}/c/${l.code}` })),
          () =>
            formatTable(
              ["id", "tracking url", "campaign", "creator", "status", "destination"],
              links.map((l) => [
                l.id,
                `${deps.publicUrl}/c/${l.code}`,
                l.campaignId,
                l.creatorId,
                l.status,
                l.destinationUrl,
              ]),
            ),
        );
        return 0;
      }
      case "code create": {
        const code = await createDiscountCode(db, need(values, "store"), {
          campaignId: need(values, "campaign"),
          creatorId: need(values, "creator"),
          code: need(values, "code"),
        });
        emit(code, () => `discount code ${code.code} now credits creator ${code.creatorId}`);
        return 0;
      }
      case "owner create": {
        const owner = await createOwner(db, need(values, "store"), need(values, "email"), values.password ?? null);
        emit(
          { id: owner.id, storeId: owner.storeId, email: owner.email },
          () =>
            `owner ${owner.email} can sign in at ${deps.publicUrl}/admin${values.password ? "" : " (by emailed link)"}`,
        );
        return 0;
      }
      case "apikey create": {
        const key = await createApiKey(
          db,
          (await requireStore(db, need(values, "store"))).id,
          values.name ?? "default",
        );
        emit(key, () => `created API key ${key.id}; store it now, it is not shown again:\n${key.key}`);
        return 0;
      }
      case "apikey list": {
        const keys = await listApiKeys(db, need(values, "store"));
        emit(keys, () =>
          formatTable(
            ["id", "name", "prefix", "created", "revoked"],
            keys.map((k) => [k.id, k.name, k.prefix, k.createdAt.toISOString(), k.revokedAt?.toISOString() ?? ""]),
          ),
        );
        return 0;
      }
      case "apikey revoke": {
        await revokeApiKey(db, need(values, "store"), need(values, "key"));
        emit({ revoked: values.key }, () => `revoked ${values.key}`);
        return 0;
      }
      case "report": {
        // Without --campaign: every campaign of the store together.
        const range = { from: parseDate(values.from, "from"), to: parseDate(values.to, "to") };
        const store = need(values, "store");
        const report = values.campaign
          ? await campaignReport(db, store, values.campaign, range)
          : await storeReport(db, store, range);
        emit(reportJson(report), () => reportText(report));
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const code = explainCliError(error, USAGE, deps.err);
    if (code !== null) return code;
    // Anything else is a bug or the database being unreachable: say so in one line, not a stack dump.
    const message = error instanceof Error ? (error.message.trim().split("\n").at(-1) ?? error.name) : String(error);
    deps.err(`trailmark: unexpected error: ${message}`);
    return 1;
  }
}
