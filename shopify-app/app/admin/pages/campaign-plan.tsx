import { Form } from "@remix-run/react";
import { BlockStack, Box, Button, Card, InlineGrid, InlineStack, List, Text, TextField } from "@shopify/polaris";
import {
  type CommissionPlan,
  type CommissionRule,
  commissionPlanFormSchema,
  describeLineRate,
  describePlan,
  type FormValues,
  indexRules,
  ruleForLine,
} from "@trailmark/core/browser";
import { useState } from "react";
import { CsrfField, Hidden, SelectInput, TextInput, useFormCheck } from "../ui/fields.tsx";

// The campaign's commission rules beyond its one rate: per product, variant and collection rates, tiers and
// bonuses, each explained in plain words, and a checker that says which rule an item would get.

const TARGET_OPTIONS = [
  { label: "Product", value: "product" },
  { label: "Variant", value: "variant" },
  { label: "Collection / category", value: "collection" },
];
const RATE_OPTIONS = [
  { label: "Percentage", value: "percentage" },
  { label: "Amount per unit", value: "per_unit" },
  { label: "Never commissioned", value: "excluded" },
];
const METRIC_OPTIONS = [
  { label: "Sales", value: "sales" },
  { label: "Conversions", value: "conversions" },
];
const PERIOD_OPTIONS = [
  { label: "Calendar month", value: "month" },
  { label: "Calendar quarter", value: "quarter" },
  { label: "Calendar year", value: "year" },
  { label: "Campaign's life", value: "campaign" },
];

/** Row indexes present in the form's values, plus `extra` empty rows after them. */
function rows(values: FormValues, prefix: string, extra: number): number[] {
  const found = Object.keys(values)
    .map((k) => new RegExp(`^${prefix}\\.(\\d+)\\.`).exec(k)?.[1])
    .filter((m): m is string => m !== undefined)
    .map(Number);
  const count = found.length ? Math.max(...found) + 1 : 0;
  return Array.from({ length: count + extra }, (_, i) => i);
}

function RuleChecker({
  plan,
  base,
  currency,
}: {
  plan: CommissionPlan;
  base: CommissionRule | null;
  currency: string;
}) {
  const [item, setItem] = useState({ productId: "", variantId: "", collections: "" });
  const applied = ruleForLine(
    {
      id: "check",
      productId: item.productId.trim() || null,
      variantId: item.variantId.trim() || null,
      collectionIds: item.collections
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean),
      quantity: 1,
      amount: 0,
    },
    indexRules(plan.productRules),
    base,
  );
  const answer =
    applied.source === "default"
      ? `The campaign's rate applies${applied.rate ? "" : ": this campaign pays nothing for purchases"}.`
      : applied.source === "gift_card"
        ? "Gift cards never earn."
        : `The ${applied.source} rule for ${applied.id} applies: ${describeLineRate(applied.rate, currency)}.`;
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        Which rule applies to an item?
      </Text>
      <InlineGrid columns={3} gap="200">
        <TextField
          label="Product id"
          value={item.productId}
          onChange={(productId) => setItem((prev) => ({ ...prev, productId }))}
          autoComplete="off"
        />
        <TextField
          label="Variant id"
          value={item.variantId}
          onChange={(variantId) => setItem((prev) => ({ ...prev, variantId }))}
          autoComplete="off"
        />
        <TextField
          label="Collection ids (comma separated)"
          value={item.collections}
          onChange={(collections) => setItem((prev) => ({ ...prev, collections }))}
          autoComplete="off"
        />
      </InlineGrid>
      <Text as="p" tone="subdued">
        <span data-testid="rule-check">{answer}</span>
      </Text>
    </BlockStack>
  );
}

export function CommissionPlanCard({
  csrfToken,
  plan,
  values,
  base,
  currency,
  serverErrors,
  saving,
}: {
  csrfToken: string | null;
  plan: CommissionPlan;
  values: FormValues;
  base: CommissionRule | null;
  currency: string;
  serverErrors: Record<string, string> | null;
  saving: boolean;
}) {
  const check = useFormCheck(commissionPlanFormSchema(currency), serverErrors);
  const [extraRules, setExtraRules] = useState(1);
  const [extraTiers, setExtraTiers] = useState(values["tiers.metric"] === "none" ? 2 : 1);
  const [extraBonuses, setExtraBonuses] = useState(1);
  const [metric, setMetric] = useState(String(values["tiers.metric"] ?? "none"));
  const errors = check.errors;
  const words = describePlan(plan, base, currency);
  const v = (name: string) => String(values[name] ?? "");
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Commission rules
        </Text>
        <Box>
          {words.length === 0 ? (
            <Text as="p" tone="subdued">
              Every purchase earns the campaign's rate. Add rates for products, variants or collections, tiers that
              raise a creator's rate as they sell more, or one-time bonuses.
            </Text>
          ) : (
            <List>
              {words.map((w) => (
                <List.Item key={w}>{w}</List.Item>
              ))}
            </List>
          )}
        </Box>
        <RuleChecker plan={plan} base={base} currency={currency} />
        <Form method="post" onSubmit={check.onSubmit} onChange={check.onChange} noValidate>
          <CsrfField token={csrfToken} />
          <Hidden name="intent" value="plan" />
          <BlockStack gap="400">
            {errors.form ? (
              <Text as="p" tone="critical">
                {errors.form}
              </Text>
            ) : null}
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                Rates by product, variant and collection
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                The most specific rule wins: a variant's over its product's, a product's over its collections'. Use the
                ids your store shows (Shopify: product and variant ids; WooCommerce: product, variation and category
                ids). Leave the id empty to remove a row.
              </Text>
              {rows(values, "pr", extraRules).map((i) => (
                <InlineGrid key={i} columns={{ xs: 1, md: 5 }} gap="200">
                  <SelectInput
                    name={`pr.${i}.target`}
                    label="Applies to"
                    options={TARGET_OPTIONS}
                    defaultValue={v(`pr.${i}.target`) || "product"}
                    error={errors[`pr.${i}.target`]}
                  />
                  <TextInput
                    name={`pr.${i}.id`}
                    label="Id"
                    defaultValue={v(`pr.${i}.id`)}
                    error={errors[`pr.${i}.id`]}
                  />
                  <TextInput name={`pr.${i}.label`} label="Name (for you)" defaultValue={v(`pr.${i}.label`)} />
                  <SelectInput
                    name={`pr.${i}.type`}
                    label="Pays"
                    options={RATE_OPTIONS}
                    defaultValue={v(`pr.${i}.type`) || "percentage"}
                    error={errors[`pr.${i}.type`]}
                  />
                  <TextInput
                    name={`pr.${i}.value`}
                    label="Rate (% or amount)"
                    defaultValue={v(`pr.${i}.value`)}
                    inputMode="decimal"
                    error={errors[`pr.${i}.value`]}
                  />
                </InlineGrid>
              ))}
              <InlineStack>
                <Button onClick={() => setExtraRules((n) => n + 1)}>Add a rate</Button>
              </InlineStack>
            </BlockStack>
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                Tiers
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                A creator's percentage steps up once their sales or conversions in the period reach a threshold; the
                order that reaches it already earns the new rate. Tiers replace the campaign's percentage, not product
                rates.
              </Text>
              <InlineGrid columns={2} gap="200">
                <SelectInput
                  name="tiers.metric"
                  label="Tiers by"
                  options={[{ label: "No tiers", value: "none" }, ...METRIC_OPTIONS]}
                  defaultValue={metric}
                  onChange={setMetric}
                  error={errors["tiers.metric"]}
                />
                <SelectInput
                  name="tiers.period"
                  label="Counted over"
                  options={PERIOD_OPTIONS}
                  defaultValue={v("tiers.period") || "month"}
                  error={errors["tiers.period"]}
                />
              </InlineGrid>
              {metric === "none"
                ? null
                : rows(values, "tier", extraTiers).map((i) => (
                    <InlineGrid key={i} columns={2} gap="200">
                      <TextInput
                        name={`tier.${i}.threshold`}
                        label={metric === "sales" ? `From sales of (${currency})` : "From conversion number"}
                        defaultValue={v(`tier.${i}.threshold`)}
                        error={errors[`tier.${i}.threshold`]}
                      />
                      <TextInput
                        name={`tier.${i}.rate`}
                        label="Percentage"
                        suffix="%"
                        defaultValue={v(`tier.${i}.rate`)}
                        error={errors[`tier.${i}.rate`]}
                      />
                    </InlineGrid>
                  ))}
              {metric === "none" ? null : (
                <InlineStack>
                  <Button onClick={() => setExtraTiers((n) => n + 1)}>Add a tier</Button>
                </InlineStack>
              )}
            </BlockStack>
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                Bonuses
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                A one-time amount when a creator reaches a goal in the period (first sale: conversions, 1), paid once
                per period through the usual payouts. Keep a bonus's name: renaming it makes it a new bonus.
              </Text>
              {rows(values, "bonus", extraBonuses).map((i) => (
                <InlineGrid key={i} columns={{ xs: 1, md: 5 }} gap="200">
                  <TextInput
                    name={`bonus.${i}.key`}
                    label="Name (a-z, 0-9, -)"
                    defaultValue={v(`bonus.${i}.key`)}
                    error={errors[`bonus.${i}.key`]}
                  />
                  <SelectInput
                    name={`bonus.${i}.metric`}
                    label="When"
                    options={METRIC_OPTIONS}
                    defaultValue={v(`bonus.${i}.metric`) || "conversions"}
                    error={errors[`bonus.${i}.metric`]}
                  />
                  <SelectInput
                    name={`bonus.${i}.period`}
                    label="Counted over"
                    options={PERIOD_OPTIONS}
                    defaultValue={v(`bonus.${i}.period`) || "month"}
                  />
                  <TextInput
                    name={`bonus.${i}.threshold`}
                    label="Reach"
                    defaultValue={v(`bonus.${i}.threshold`)}
                    error={errors[`bonus.${i}.threshold`]}
                  />
                  <TextInput
                    name={`bonus.${i}.amount`}
                    label={`Bonus (${currency})`}
                    defaultValue={v(`bonus.${i}.amount`)}
                    error={errors[`bonus.${i}.amount`]}
                  />
                </InlineGrid>
              ))}
              <InlineStack>
                <Button onClick={() => setExtraBonuses((n) => n + 1)}>Add a bonus</Button>
              </InlineStack>
            </BlockStack>
            <InlineStack align="end">
              <Button submit variant="primary" loading={saving}>
                Save commission rules
              </Button>
            </InlineStack>
          </BlockStack>
        </Form>
      </BlockStack>
    </Card>
  );
}
