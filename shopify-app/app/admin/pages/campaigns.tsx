import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  DataTable,
  EmptyState,
  FormLayout,
  InlineGrid,
  InlineStack,
  Link,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import {
  ATTRIBUTION_MODELS,
  COMMISSION_BASE_LABELS,
  COMMISSION_BASES,
  campaignFormSchema,
  currencyExponent,
  displayMoney,
  type FormValues,
  GOALS,
  overrideFormSchema,
} from "@trailmark/core/browser";
import { useState } from "react";
import { CheckboxInput, CsrfField, Hidden, SelectInput, TextInput, useFormCheck } from "../ui/fields.tsx";
import { formatDate, GOAL_LABELS, MODEL_LABELS, ruleText } from "../ui/format.ts";
import { Performance } from "../ui/performance.tsx";
import { EMPTY_IMAGE, NavigationProgress, ResultBanner, type Shell } from "../ui/shell.tsx";
import { CommissionPlanCard } from "./campaign-plan.tsx";
import type { campaignLoader, campaignsAction, campaignsLoader, newCampaignLoader } from "./campaigns.server.ts";

const STATUS_TONE = { active: "success", paused: "attention", ended: undefined } as const;

function StatusBadge({ status }: { status: "active" | "paused" | "ended" }) {
  return <Badge tone={STATUS_TONE[status]}>{status[0]!.toUpperCase() + status.slice(1)}</Badge>;
}

function StatusButtons({
  shell,
  campaignId,
  status,
}: {
  shell: Shell;
  campaignId: string;
  status: "active" | "paused" | "ended";
}) {
  const actions =
    status === "active"
      ? [
          ["paused", "Pause"],
          ["ended", "End"],
        ]
      : status === "paused"
        ? [
            ["active", "Resume"],
            ["ended", "End"],
          ]
        : [["active", "Reopen"]];
  return (
    <ButtonGroup>
      {actions.map(([next, label]) => (
        <Form method="post" key={next}>
          <CsrfField token={shell.csrfToken} />
          <Hidden name="intent" value="status" />
          <Hidden name="campaignId" value={campaignId} />
          <Hidden name="status" value={next!} />
          <Button
            submit
            size="slim"
            tone={next === "ended" ? "critical" : undefined}
            accessibilityLabel={`${label} campaign`}
          >
            {label}
          </Button>
        </Form>
      ))}
    </ButtonGroup>
  );
}

function rulesSummary(
  rules: Record<string, { type: "percentage"; basisPoints: number } | { type: "flat"; amount: number } | undefined>,
  currency: string,
) {
  const parts = Object.entries(rules).flatMap(([goal, rule]) =>
    rule ? [`${GOAL_LABELS[goal] ?? goal}: ${ruleText(rule, currency)}`] : [],
  );
  return parts.length ? parts.join(" · ") : "No commission";
}

function Budget({ cap, used, currency }: { cap: number | null; used: number; currency: string }) {
  if (cap === null) return <Text as="span">{displayMoney(used, currency)} used · no cap</Text>;
  return (
    <BlockStack gap="100">
      <Text as="span">
        {displayMoney(used, currency)} of {displayMoney(cap, currency)}
      </Text>
      <div style={{ width: 140 }}>
        <ProgressBar
          progress={cap === 0 ? 100 : Math.min(100, (used / cap) * 100)}
          size="small"
          tone={used >= cap ? "critical" : "primary"}
        />
      </div>
    </BlockStack>
  );
}

export function CampaignsPage() {
  const { shell, campaigns } = useLoaderData<typeof campaignsLoader>();
  const result = useActionData<typeof campaignsAction>();
  return (
    <Page
      title="Campaigns"
      subtitle={shell.storeName}
      primaryAction={{ content: "Create campaign", url: `${shell.base}/campaigns/new` }}
    >
      <NavigationProgress />
      <BlockStack gap="400">
        <ResultBanner result={result?.ok ? result : result ? { ok: false, message: result.errors.form } : null} />
        {campaigns.length === 0 ? (
          <Card>
            <EmptyState
              heading="Create your first campaign"
              image={EMPTY_IMAGE}
              action={{ content: "Create campaign", url: `${shell.base}/campaigns/new` }}
            >
              <p>
                A campaign sets what you pay creators for: the goals, the commission, the attribution model and a
                budget.
              </p>
            </EmptyState>
          </Card>
        ) : (
          <Card padding="0">
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "text", "text"]}
              headings={["Campaign", "Status", "Model", "Commission", "Budget", ""]}
              rows={campaigns.map((c) => [
                <BlockStack gap="050" key={c.id}>
                  <Link url={`${shell.base}/campaigns/${c.id}`} removeUnderline>
                    {c.name}
                  </Link>
                  <Text as="span" variant="bodySm" tone="subdued">
                    {c.links} link{c.links === 1 ? "" : "s"} · {c.lookbackDays}-day lookback
                  </Text>
                </BlockStack>,
                <StatusBadge key="s" status={c.status} />,
                MODEL_LABELS[c.attributionModel] ?? c.attributionModel,
                rulesSummary(c.commissionRules, c.currency),
                <Budget key="b" cap={c.budgetCap} used={c.budgetUsed} currency={c.currency} />,
                <StatusButtons key="a" shell={shell} campaignId={c.id} status={c.status} />,
              ])}
            />
          </Card>
        )}
      </BlockStack>
    </Page>
  );
}

function RuleFields({
  prefix,
  values,
  errors,
  currency,
  typeLabel,
}: {
  prefix: string;
  values: FormValues;
  errors: Record<string, string>;
  currency: string;
  typeLabel: string;
}) {
  const initial = String(values[`${prefix}.type`] ?? "none");
  const [type, setType] = useState(initial);
  return (
    <InlineGrid columns={2} gap="300">
      <SelectInput
        name={`${prefix}.type`}
        label={typeLabel}
        defaultValue={initial}
        error={errors[`${prefix}.type`]}
        onChange={setType}
        options={[
          { label: "No commission", value: "none" },
          { label: "Percentage of the order", value: "percentage" },
          { label: `Flat amount (${currency})`, value: "flat" },
        ]}
      />
      <TextInput
        name={`${prefix}.value`}
        label="Commission"
        defaultValue={String(values[`${prefix}.value`] ?? "")}
        disabled={type === "none"}
        suffix={type === "percentage" ? "%" : type === "flat" ? currency : undefined}
        inputMode="decimal"
        error={errors[`${prefix}.value`]}
      />
    </InlineGrid>
  );
}

/** The campaign form's fields, for creating and editing. */
function CampaignFields({
  values,
  errors,
  currency,
}: {
  values: FormValues;
  errors: Record<string, string>;
  currency: string;
}) {
  const chosen = new Set(Array.isArray(values.goals) ? values.goals : values.goals ? [values.goals] : []);
  const [goals, setGoals] = useState(chosen);
  const [model, setModel] = useState(String(values.attributionModel ?? "last_click"));
  const money =
    currencyExponent(currency) === 0 ? "whole amounts" : `such as ${(25).toFixed(currencyExponent(currency))}`;
  return (
    <FormLayout>
      <TextInput name="name" label="Name" defaultValue={String(values.name ?? "")} error={errors.name} />
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          Goals and commission
        </Text>
        {errors.goals ? (
          <Text as="p" tone="critical">
            {errors.goals}
          </Text>
        ) : null}
        {GOALS.map((goal) => (
          <Box key={goal} padding="300" borderColor="border" borderWidth="025" borderRadius="200">
            <BlockStack gap="200">
              <CheckboxInput
                name="goals"
                value={goal}
                label={`Pay for ${GOAL_LABELS[goal]?.toLowerCase()}s`}
                defaultChecked={chosen.has(goal)}
                onChange={(checked) => {
                  const next = new Set(goals);
                  if (checked) next.add(goal);
                  else next.delete(goal);
                  setGoals(next);
                }}
              />
              {goals.has(goal) ? (
                <RuleFields
                  prefix={`rule.${goal}`}
                  values={values}
                  errors={errors}
                  currency={currency}
                  typeLabel={`${GOAL_LABELS[goal]} commission`}
                />
              ) : null}
            </BlockStack>
          </Box>
        ))}
        <SelectInput
          name="commissionBase"
          label="Percentages are paid on"
          defaultValue={String(values.commissionBase ?? "items")}
          error={errors.commissionBase}
          options={COMMISSION_BASES.map((b) => ({ label: COMMISSION_BASE_LABELS[b], value: b }))}
        />
        <Text as="p" variant="bodySm" tone="subdued">
          The same on every platform. A refund takes off the refunded items' share of it.
        </Text>
      </BlockStack>
      <FormLayout.Group>
        <SelectInput
          name="attributionModel"
          label="Attribution model"
          defaultValue={model}
          onChange={setModel}
          error={errors.attributionModel}
          options={ATTRIBUTION_MODELS.map((m) => ({ label: MODEL_LABELS[m] ?? m, value: m }))}
        />
        <TextInput
          name="lookbackDays"
          label="Lookback window"
          suffix="days"
          type="number"
          defaultValue={String(values.lookbackDays ?? "30")}
          error={errors.lookbackDays}
          helpText="Clicks older than this before a conversion earn nothing."
        />
        {model === "time_decay" ? (
          <TextInput
            name="halfLifeDays"
            label="Half-life"
            suffix="days"
            type="number"
            defaultValue={String(values.halfLifeDays ?? "7")}
            error={errors.halfLifeDays}
          />
        ) : (
          <Hidden name="halfLifeDays" value={String(values.halfLifeDays ?? "7")} />
        )}
      </FormLayout.Group>
      <FormLayout.Group>
        <TextInput
          name="minOrderValue"
          label="Minimum order value"
          suffix={currency}
          defaultValue={String(values.minOrderValue ?? "")}
          error={errors.minOrderValue}
          helpText={`Orders below it earn nothing; ${money}.`}
        />
        <TextInput
          name="holdingDays"
          label="Holding period"
          suffix="days"
          type="number"
          defaultValue={String(values.holdingDays ?? "30")}
          error={errors.holdingDays}
          helpText="Commissions are approved after it, unless the order is refunded."
        />
        <TextInput
          name="budgetCap"
          label="Budget cap"
          suffix={currency}
          defaultValue={String(values.budgetCap ?? "")}
          error={errors.budgetCap}
          helpText="Leave empty for no cap."
        />
      </FormLayout.Group>
      <FormLayout.Group>
        <TextInput
          name="startsAt"
          label="Starts"
          type="date"
          defaultValue={String(values.startsAt ?? "")}
          error={errors.startsAt}
        />
        <TextInput
          name="endsAt"
          label="Ends (inclusive)"
          type="date"
          defaultValue={String(values.endsAt ?? "")}
          error={errors.endsAt}
        />
      </FormLayout.Group>
    </FormLayout>
  );
}

export function NewCampaignPage() {
  const { shell, values } = useLoaderData<typeof newCampaignLoader>();
  const result = useActionData<{ ok: false; errors: Record<string, string> } | undefined>();
  const check = useFormCheck(campaignFormSchema(shell.currency), result && !result.ok ? result.errors : null);
  const navigation = useNavigation();
  return (
    <Page title="New campaign" backAction={{ content: "Campaigns", url: `${shell.base}/campaigns` }}>
      <NavigationProgress />
      <Form method="post" onSubmit={check.onSubmit} onChange={check.onChange} noValidate>
        <CsrfField token={shell.csrfToken} />
        <Hidden name="intent" value="create" />
        <BlockStack gap="400">
          {check.errors.form ? (
            <Banner tone="critical">
              <p>{check.errors.form}</p>
            </Banner>
          ) : null}
          <Card>
            <CampaignFields values={values} errors={check.errors} currency={shell.currency} />
          </Card>
          <InlineStack align="end">
            <Button submit variant="primary" loading={navigation.state === "submitting"}>
              Create campaign
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Page>
  );
}

type CampaignActionResult =
  | { ok: true; intent: string; message: string }
  | { ok: false; intent: string; errors: Record<string, string> };

export function CampaignPage() {
  const data = useLoaderData<typeof campaignLoader>();
  const { shell, campaign } = data;
  const result = useActionData<CampaignActionResult | undefined>();
  const errorsFor = (intent: string) => (result && !result.ok && result.intent === intent ? result.errors : null);
  const update = useFormCheck(campaignFormSchema(campaign.currency), errorsFor("update"));
  const override = useFormCheck(overrideFormSchema(campaign.currency), errorsFor("override"));
  const navigation = useNavigation();
  return (
    <Page
      title={campaign.name}
      titleMetadata={<StatusBadge status={campaign.status} />}
      backAction={{ content: "Campaigns", url: `${shell.base}/campaigns` }}
      secondaryActions={<StatusButtons shell={shell} campaignId={campaign.id} status={campaign.status} />}
    >
      <NavigationProgress />
      <BlockStack gap="400">
        {data.created ? (
          <Banner tone="success">
            <p>Campaign created. Give creators links to it from the Creators page.</p>
          </Banner>
        ) : null}
        <ResultBanner
          result={result?.ok ? result : result?.errors.form ? { ok: false, message: result.errors.form } : null}
        />
        <Performance figures={data.performance} range={data.range} />
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Budget
            </Text>
            <Budget cap={campaign.budgetCap} used={campaign.budgetUsed} currency={campaign.currency} />
            <Text as="p" variant="bodySm" tone="subdued">
              Runs {campaign.startsAt ? `from ${formatDate(campaign.startsAt)}` : "from creation"}
              {campaign.endsAt ? ` until ${formatDate(new Date(new Date(campaign.endsAt).getTime() - 1))}` : ""} ·
              amounts in {campaign.currency}
            </Text>
            <Text as="p" variant="bodySm" tone="subdued">
              Commission base: {COMMISSION_BASE_LABELS[campaign.commissionBase]}
            </Text>
          </BlockStack>
        </Card>
        <Form method="post" onSubmit={update.onSubmit} onChange={update.onChange} noValidate>
          <CsrfField token={shell.csrfToken} />
          <Hidden name="intent" value="update" />
          <BlockStack gap="300">
            <Card>
              <CampaignFields values={data.values} errors={update.errors} currency={campaign.currency} />
            </Card>
            <InlineStack align="end">
              <Button
                submit
                variant="primary"
                loading={navigation.state === "submitting" && navigation.formData?.get("intent") === "update"}
              >
                Save campaign
              </Button>
            </InlineStack>
          </BlockStack>
        </Form>
        <CommissionPlanCard
          csrfToken={shell.csrfToken}
          plan={campaign.commissionPlan}
          values={data.planValues}
          base={campaign.commissionRules.purchase ?? null}
          currency={campaign.currency}
          serverErrors={errorsFor("plan")}
          saving={navigation.state === "submitting" && navigation.formData?.get("intent") === "plan"}
        />
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Per-creator commission
            </Text>
            <Text as="p" tone="subdued">
              A creator's own rate for one goal replaces the campaign's for that creator.
            </Text>
            {data.overrides.length > 0 ? (
              <DataTable
                columnContentTypes={["text", "text", "text", "text"]}
                headings={["Creator", "Goal", "Commission", ""]}
                rows={data.overrides.map((o) => [
                  o.creatorName,
                  GOAL_LABELS[o.goal] ?? o.goal,
                  ruleText(o.rule, campaign.currency),
                  <Form method="post" key={`${o.creatorId}-${o.goal}`}>
                    <CsrfField token={shell.csrfToken} />
                    <Hidden name="intent" value="override" />
                    <Hidden name="creatorId" value={o.creatorId} />
                    <Hidden name="goal" value={o.goal} />
                    <Hidden name="rule.type" value="none" />
                    <Button submit size="slim" variant="plain" tone="critical">
                      Remove
                    </Button>
                  </Form>,
                ])}
              />
            ) : null}
            {data.creators.length === 0 ? (
              <Text as="p" tone="subdued">
                Add creators first.
              </Text>
            ) : (
              <Form method="post" onSubmit={override.onSubmit} onChange={override.onChange} noValidate>
                <CsrfField token={shell.csrfToken} />
                <Hidden name="intent" value="override" />
                <FormLayout>
                  <FormLayout.Group>
                    <SelectInput
                      name="creatorId"
                      label="Creator"
                      error={override.errors.creatorId}
                      options={data.creators.map((c) => ({ label: c.name, value: c.id }))}
                    />
                    <SelectInput
                      name="goal"
                      label="Goal"
                      error={override.errors.goal}
                      options={campaign.goals.map((g) => ({ label: GOAL_LABELS[g] ?? g, value: g }))}
                    />
                  </FormLayout.Group>
                  <RuleFields
                    prefix="rule"
                    values={{ "rule.type": "percentage" }}
                    errors={override.errors}
                    currency={campaign.currency}
                    typeLabel="Their commission"
                  />
                  <InlineStack align="end">
                    <Button submit>Save override</Button>
                  </InlineStack>
                </FormLayout>
              </Form>
            )}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Links
            </Text>
            {data.links.length === 0 ? (
              <Text as="p" tone="subdued">
                No creator has a link to this campaign yet. Create one from a creator's page.
              </Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text"]}
                headings={["Creator", "Code", "Status"]}
                rows={data.links.map((l) => [
                  <Link key={l.id} url={`${shell.base}/creators/${l.creatorId}`} removeUnderline>
                    {l.creatorName}
                  </Link>,
                  l.code,
                  l.status,
                ])}
              />
            )}
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}
