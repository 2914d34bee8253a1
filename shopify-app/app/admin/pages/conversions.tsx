import { Form, useLoaderData, useLocation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  EmptyState,
  InlineStack,
  Link,
  Page,
  Pagination,
  Text,
} from "@shopify/polaris";
import type { ConversionListItem, JourneyStep } from "@trailmark/core/browser";
import { displayMoney } from "@trailmark/core/browser";
import { SelectInput, TextInput } from "../ui/fields.tsx";
import { formatDateTime, KIND_LABELS, MODEL_LABELS, RULE_LABELS } from "../ui/format.ts";
import { EMPTY_IMAGE, NavigationProgress } from "../ui/shell.tsx";
import type { conversionLoader, conversionsLoader } from "./conversions.server.ts";

type Tone = "success" | "attention" | "critical" | "info" | undefined;

const STATUS_TONE: Record<string, Tone> = {
  attributed: "success",
  unattributed: undefined,
  rejected: "critical",
  new: "info",
  pending: "attention",
  approved: "success",
  paid: "success",
  reversed: undefined,
  over_budget: "critical",
};

function StatusBadge({ status }: { status: string }) {
  const label = status.replace(/_/g, " ");
  return <Badge tone={STATUS_TONE[status]}>{label[0]!.toUpperCase() + label.slice(1)}</Badge>;
}

function label(c: Pick<ConversionListItem, "kind" | "orderNumber" | "orderExternalId">) {
  const order = c.orderNumber ?? c.orderExternalId;
  return order ? `Order ${order}` : (KIND_LABELS[c.kind] ?? c.kind);
}

function Shares({ item }: { item: ConversionListItem }) {
  if (item.creators.length === 0) {
    return item.status === "rejected" && item.rejectRule ? (
      <Text as="span" tone="critical">
        {RULE_LABELS[item.rejectRule] ?? item.rejectRule}
      </Text>
    ) : (
      <Text as="span" tone="subdued">
        –
      </Text>
    );
  }
  return (
    <BlockStack gap="050">
      {item.creators.map((s) => (
        <Text as="span" key={`${s.campaignId}-${s.creatorId}`}>
          {s.name} · {(s.weightPpm / 10_000).toFixed(0)}%
          {s.commission
            ? ` · ${displayMoney(s.commission.status === "rejected" || s.commission.status === "over_budget" ? s.commission.original : s.commission.amount, s.commission.currency)} ${s.commission.status.replace("_", " ")}`
            : ""}
          {s.commission && s.commission.reversed > 0 && s.commission.status !== "reversed"
            ? ` (${displayMoney(s.commission.reversed, s.commission.currency)} reversed)`
            : ""}
          {s.commission?.rule ? ` (${RULE_LABELS[s.commission.rule] ?? s.commission.rule})` : ""}
          {s.commission?.tier ? ` · tier ${s.commission.tier} rate` : ""}
        </Text>
      ))}
    </BlockStack>
  );
}

export function ConversionsPage() {
  const data = useLoaderData<typeof conversionsLoader>();
  const { shell, list, filter } = data;
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const pageUrl = (page: number) => {
    const next = new URLSearchParams(params);
    next.set("page", String(page));
    return `${location.pathname}?${next}`;
  };
  params.delete("page");
  const exportUrl = `${shell.base}/conversions/export${params.size ? `?${params}` : ""}`;
  const download = async () => {
    // Embedded: App Bridge adds the session token to fetch; a plain link would carry none.
    const response = await fetch(exportUrl);
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "conversions.csv";
    a.click();
    URL.revokeObjectURL(url);
  };
  const filtered = Object.values(filter).some(Boolean);
  return (
    <Page
      title="Conversions"
      subtitle={`${list.total} ${list.total === 1 ? "conversion" : "conversions"}`}
      secondaryActions={
        shell.mode === "standalone" ? (
          <Button url={exportUrl} download>
            Export CSV
          </Button>
        ) : (
          <Button onClick={() => void download()}>Export CSV</Button>
        )
      }
    >
      <NavigationProgress />
      <BlockStack gap="400">
        <Card>
          <Form method="get">
            <InlineStack gap="300" blockAlign="end" wrap>
              <Box minWidth="180px">
                <TextInput name="q" label="Order number" defaultValue={filter.q} placeholder="1001" type="search" />
              </Box>
              <Box minWidth="140px">
                <SelectInput
                  name="kind"
                  label="Type"
                  defaultValue={filter.kind}
                  options={[
                    { label: "All", value: "" },
                    { label: "Orders", value: "purchase" },
                    { label: "Sign-ups", value: "sign_up" },
                    { label: "Leads", value: "lead" },
                    { label: "Custom", value: "custom" },
                  ]}
                />
              </Box>
              <Box minWidth="140px">
                <SelectInput
                  name="status"
                  label="Status"
                  defaultValue={filter.status}
                  options={[
                    { label: "All", value: "" },
                    { label: "Attributed", value: "attributed" },
                    { label: "Rejected", value: "rejected" },
                    { label: "Unattributed", value: "unattributed" },
                  ]}
                />
              </Box>
              <Box minWidth="160px">
                <SelectInput
                  name="campaignId"
                  label="Campaign"
                  defaultValue={filter.campaignId}
                  options={[
                    { label: "All", value: "" },
                    ...data.campaigns.map((c) => ({ label: c.name, value: c.id })),
                  ]}
                />
              </Box>
              <Box minWidth="160px">
                <SelectInput
                  name="creatorId"
                  label="Creator"
                  defaultValue={filter.creatorId}
                  options={[{ label: "All", value: "" }, ...data.creators.map((c) => ({ label: c.name, value: c.id }))]}
                />
              </Box>
              <Box minWidth="150px">
                <TextInput name="from" label="From" type="date" defaultValue={filter.from} />
              </Box>
              <Box minWidth="150px">
                <TextInput name="to" label="To" type="date" defaultValue={filter.to} />
              </Box>
              <Button submit>Filter</Button>
              {filtered ? <Button url={`${shell.base}/conversions`}>Clear</Button> : null}
            </InlineStack>
          </Form>
        </Card>
        {list.items.length === 0 ? (
          <Card>
            <EmptyState heading={filtered ? "No conversion matches" : "No conversions yet"} image={EMPTY_IMAGE}>
              <p>
                {filtered
                  ? "Try another order number or fewer filters."
                  : "Orders and sign-ups appear here as they arrive, with the creators who earned them."}
              </p>
            </EmptyState>
          </Card>
        ) : (
          <Card padding="0">
            <DataTable
              columnContentTypes={["text", "text", "numeric", "text", "text", "text"]}
              headings={["When", "Conversion", "Value", "Status", "Campaign", "Credit and commission"]}
              rows={list.items.map((c) => [
                formatDateTime(c.occurredAt),
                <Link key={c.id} url={`${shell.base}/conversions/${c.id}`} removeUnderline>
                  {label(c)}
                </Link>,
                <BlockStack gap="050" key="v" inlineAlign="end">
                  <Text as="span">{displayMoney(c.value, c.currency)}</Text>
                  {c.refunded > 0 ? (
                    <Text as="span" variant="bodySm" tone="subdued">
                      −{displayMoney(c.refunded, c.currency)} refunded
                    </Text>
                  ) : null}
                  {c.orderStatus === "reversed" ? (
                    <Text as="span" variant="bodySm" tone="critical">
                      cancelled
                    </Text>
                  ) : null}
                </BlockStack>,
                <StatusBadge key="s" status={c.status} />,
                c.campaignName ?? "–",
                <Shares key="sh" item={c} />,
              ])}
            />
          </Card>
        )}
        {list.pages > 1 ? (
          <InlineStack align="center">
            <Pagination
              hasPrevious={list.page > 1}
              previousURL={pageUrl(list.page - 1)}
              hasNext={list.page < list.pages}
              nextURL={pageUrl(list.page + 1)}
              label={`Page ${list.page} of ${list.pages}`}
            />
          </InlineStack>
        ) : null}
      </BlockStack>
    </Page>
  );
}

const STEP_LABELS: Record<string, string> = {
  click: "Click",
  discount_code: "Discount code",
  page_view: "Visit",
  sign_up: "Sign-up",
  lead: "Lead",
  purchase: "Checkout",
  custom: "Event",
  conversion: "Conversion",
};

function stepText(step: JourneyStep, currency: string, conversion: ConversionListItem) {
  switch (step.type) {
    case "click":
      return `${step.creatorName}'s link (${step.campaignName})${step.referrer ? ` from ${step.referrer}` : ""}`;
    case "discount_code":
      return `${step.creatorName}'s code ${step.detail} (${step.campaignName})`;
    case "conversion":
      return `${label(conversion)} · ${displayMoney(conversion.value, currency)}`;
    default:
      return step.url ?? step.detail ?? "";
  }
}

function Timeline({ steps, conversion }: { steps: JourneyStep[]; conversion: ConversionListItem }) {
  return (
    <ol style={{ listStyle: "none", margin: 0, padding: 0 }} data-testid="journey">
      {steps.map((step, i) => (
        <li
          key={`${step.type}-${step.id}-${new Date(step.at).getTime()}`}
          style={{ display: "flex", gap: 12, position: "relative", paddingBottom: 16 }}
        >
          <div style={{ display: "flex", flexDirection: "column", alignItems: "center" }}>
            <span
              aria-hidden
              style={{
                width: 12,
                height: 12,
                borderRadius: 6,
                marginTop: 4,
                background: step.type === "conversion" ? "#29845a" : step.credit ? "#005bd3" : "#b5b5b5",
              }}
            />
            {i < steps.length - 1 ? (
              <span aria-hidden style={{ flex: 1, width: 2, background: "#e3e3e3", marginTop: 4 }} />
            ) : null}
          </div>
          <BlockStack gap="050">
            <InlineStack gap="200" blockAlign="center">
              <Text as="span" fontWeight="semibold">
                {STEP_LABELS[step.type] ?? step.type}
              </Text>
              {step.qualification && step.qualification !== "qualified" ? (
                <Badge tone="warning">{step.qualification}</Badge>
              ) : null}
              {step.credit ? (
                <Badge tone="info">{`${(step.credit.weightPpm / 10_000).toFixed(0)}% credit · ${displayMoney(step.credit.amount, conversion.currency)}`}</Badge>
              ) : null}
            </InlineStack>
            <Text as="span" tone="subdued" variant="bodySm">
              {formatDateTime(step.at)}
            </Text>
            <Text as="span" breakWord>
              {stepText(step, conversion.currency, conversion)}
            </Text>
          </BlockStack>
        </li>
      ))}
    </ol>
  );
}

export function ConversionPage() {
  const { shell, journey } = useLoaderData<typeof conversionLoader>();
  const c = journey.conversion;
  return (
    <Page
      title={label(c)}
      titleMetadata={<StatusBadge status={c.status} />}
      subtitle={`${formatDateTime(c.occurredAt)} · ${displayMoney(c.value, c.currency)}`}
      backAction={{ content: "Conversions", url: `${shell.base}/conversions` }}
    >
      <NavigationProgress />
      <BlockStack gap="400">
        {c.status === "rejected" && c.rejectRule ? (
          <Banner tone="critical" title={`Rejected: ${RULE_LABELS[c.rejectRule] ?? c.rejectRule}`}>
            <p>{c.rejectReason}</p>
          </Banner>
        ) : null}
        {c.orderStatus === "reversed" ? (
          <Banner tone="warning">
            <p>This order was cancelled: its commissions were reversed.</p>
          </Banner>
        ) : c.refunded > 0 ? (
          <Banner tone="info">
            <p>{displayMoney(c.refunded, c.currency)} was refunded; commissions were reduced in proportion.</p>
          </Banner>
        ) : null}
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Who earned it
            </Text>
            {c.creators.length === 0 ? (
              <Text as="p" tone="subdued">
                No creator is credited: no tracked click or code led to this conversion.
              </Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "text", "numeric", "text"]}
                headings={["Creator", "Credit share", "Credit", "Commission", "Amount", "Rule"]}
                rows={c.creators.map((s) => [
                  <Link key={s.creatorId} url={`${shell.base}/creators/${s.creatorId}`} removeUnderline>
                    {s.name}
                  </Link>,
                  `${(s.weightPpm / 10_000).toFixed(2)}%`,
                  displayMoney(s.credit, c.currency),
                  s.commission ? <StatusBadge key="st" status={s.commission.status} /> : "–",
                  s.commission ? (
                    <span data-testid={`commission-${s.creatorId}`} key="amt">
                      {displayMoney(
                        s.commission.status === "rejected" || s.commission.status === "over_budget"
                          ? s.commission.original
                          : s.commission.amount,
                        s.commission.currency,
                      )}
                      {s.commission.reversed > 0
                        ? ` (${displayMoney(s.commission.reversed, s.commission.currency)} reversed of ${displayMoney(s.commission.original, s.commission.currency)})`
                        : ""}
                    </span>
                  ) : (
                    "–"
                  ),
                  s.commission?.rule
                    ? `${RULE_LABELS[s.commission.rule] ?? s.commission.rule}: ${s.commission.reason ?? ""}`
                    : "–",
                ])}
              />
            )}
            {journey.model ? (
              <Text as="p" variant="bodySm" tone="subdued">
                {c.campaignName}: {MODEL_LABELS[journey.model] ?? journey.model}, {journey.lookbackDays}-day lookback.
              </Text>
            ) : null}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Journey
            </Text>
            <Timeline steps={journey.steps} conversion={c} />
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}
