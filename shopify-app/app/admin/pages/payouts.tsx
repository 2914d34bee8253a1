import { Form, Link as RemixLink, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { displayMoney, formatMinorUnits } from "@trailmark/core/browser";
import { useEffect, useState } from "react";
import { CsrfField, Hidden, SelectInput } from "../ui/fields.tsx";
import { formatDate, formatDateTime } from "../ui/format.ts";
import { NavigationProgress, type Shell } from "../ui/shell.tsx";
import type { payoutsLoader } from "./payouts.server.ts";

type Result =
  | { ok: true; intent: string; message: string }
  | { ok: false; intent: string; errors: Record<string, string> };

const REASON = {
  below_minimum: "below the minimum payout",
  negative_balance: "negative after clawbacks",
  nothing_due: "nothing due",
} as const;

const METHOD = { manual: "Manual (CSV)", stripe: "Stripe Connect", paypal: "PayPal" } as const;

const STATUS_TONE = {
  draft: "info",
  approved: "attention",
  processing: "attention",
  paid: "success",
  failed: "critical",
  cancelled: undefined,
  completed: "success",
} as const;

function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONE[status as keyof typeof STATUS_TONE]}>{status}</Badge>;
}

function IntentButton({
  shell,
  intent,
  fields,
  children,
  tone,
  variant,
}: {
  shell: Shell;
  intent: string;
  fields?: Record<string, string>;
  children: string;
  tone?: "critical";
  variant?: "primary";
}) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  return (
    <Form method="post">
      <CsrfField token={shell.csrfToken} />
      <Hidden name="intent" value={intent} />
      {Object.entries(fields ?? {}).map(([k, v]) => (
        <Hidden key={k} name={k} value={v} />
      ))}
      <Button submit size="slim" tone={tone} variant={variant} loading={busy}>
        {children}
      </Button>
    </Form>
  );
}

/** Embedded: App Bridge adds the session token to fetch, a plain link would carry none. */
async function downloadCsv(url: string) {
  const response = await fetch(url);
  const href = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = href;
  a.download = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "payouts.csv";
  a.click();
  URL.revokeObjectURL(href);
}

type PendingRow = ReturnType<typeof useLoaderData<typeof payoutsLoader>>["pending"]["commissions"][number];
type BalanceRow = ReturnType<typeof useLoaderData<typeof payoutsLoader>>["balances"]["creators"][number];

/** A creator's pending amount, when the first and last of it become approved, and each commission's own date. */
function PendingCell({
  balance: b,
  commissions,
  more,
  base,
}: {
  balance: BalanceRow;
  commissions: PendingRow[];
  more: boolean;
  base: string;
}) {
  const range =
    b.lastApprovalAt && b.lastApprovalAt !== b.nextApprovalAt
      ? `approved from ${formatDate(b.nextApprovalAt)} to ${formatDate(b.lastApprovalAt)}`
      : `approved on ${formatDate(b.nextApprovalAt)}`;
  return (
    <details data-testid={`pending-${b.creatorId}-${b.currency}`}>
      <summary style={{ cursor: "pointer" }}>
        {displayMoney(b.pending, b.currency)} · {range}
      </summary>
      <ul style={{ margin: "4px 0 0", paddingLeft: 16, textAlign: "left" }}>
        {commissions.map((c) => (
          <li key={c.commissionId} data-testid="pending-commission">
            <RemixLink to={`${base}/conversions/${c.conversionId}`}>{displayMoney(c.amount, c.currency)}</RemixLink>
            {` approved on ${formatDate(c.approvesAt)}`}
          </li>
        ))}
        {more && commissions.length < b.pendingCount ? (
          <li>{`and ${b.pendingCount - commissions.length} more`}</li>
        ) : null}
      </ul>
    </details>
  );
}

export function PayoutsPage() {
  const { shell, balances, pending, preview, history, settings, mailDigestAfter, providers, schedules, weekdays } =
    useLoaderData<typeof payoutsLoader>();
  const result = useActionData<Result | undefined>();
  const submit = useSubmit();
  const [previewing, setPreviewing] = useState(false);
  const [schedule, setSchedule] = useState<string>(settings.schedule);
  const [holdingDays, setHoldingDays] = useState(String(settings.holdingDays));
  // A run started (or refused because balances changed): the preview shown is no longer current.
  useEffect(() => {
    if (result?.intent === "payNow") setPreviewing(false);
  }, [result]);
  const [selected, setSelected] = useState<string[]>([]);
  const [reference, setReference] = useState("");
  const [digestAfter, setDigestAfter] = useState(String(mailDigestAfter));
  const [minimum, setMinimum] = useState(() => {
    const own = balances.minimumPayout.find((m) => m.currency === shell.currency);
    return own ? formatMinorUnits(own.amount, own.currency) : "";
  });
  const post = (intent: string, payoutIds: string[]) => {
    const form = new FormData();
    form.set("intent", intent);
    if (shell.csrfToken) form.set("_csrf", shell.csrfToken);
    for (const id of payoutIds) form.append("payoutId", id);
    if (reference.trim()) form.set("reference", reference.trim());
    submit(form, { method: "post" });
    setSelected([]);
  };
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const money = (amount: number, currency: string) => displayMoney(amount, currency);
  const name = (id: string) => history.creatorNames[id] ?? id;
  return (
    <Page title="Payouts" subtitle="What creators are owed, per currency, and every payout run">
      <NavigationProgress />
      <BlockStack gap="400">
        {result ? (
          result.ok ? (
            <Banner tone="success">
              <p>{result.message}</p>
            </Banner>
          ) : (
            <Banner tone="critical">
              <p>{Object.values(result.errors).join(" ")}</p>
            </Banner>
          )
        ) : null}
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Totals per currency
            </Text>
            {balances.totals.length === 0 ? (
              <Text as="p" tone="subdued">
                No commissions yet.
              </Text>
            ) : (
              <DataTable
                columnContentTypes={[
                  "text",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                ]}
                headings={[
                  "Currency",
                  "Pending",
                  "Ready to pay",
                  "Below minimum",
                  "Negative",
                  "On hold",
                  "In payouts",
                  "Paid",
                ]}
                rows={balances.totals.map((t) => [
                  t.currency,
                  money(t.pending, t.currency),
                  money(t.payable, t.currency),
                  money(t.belowMinimum, t.currency),
                  money(t.negative, t.currency),
                  money(t.onHold, t.currency),
                  money(t.inPayouts, t.currency),
                  money(t.paid, t.currency),
                ])}
              />
            )}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            {/* What the confirm will be checked against (the plan previewed). */}
            <div data-testid="pay-now" data-fingerprint={preview.fingerprint} hidden />
            <InlineStack align="space-between" blockAlign="center">
              <Text as="h2" variant="headingMd">
                Pay now
              </Text>
              {!previewing ? (
                <Button variant="primary" onClick={() => setPreviewing(true)} disabled={preview.payouts.length === 0}>
                  Pay now
                </Button>
              ) : null}
            </InlineStack>
            {preview.payouts.length === 0 ? (
              <Text as="p" tone="subdued">
                Nothing is ready to pay: approved commissions past their holding period appear here.
              </Text>
            ) : (
              <Text as="p">
                Ready to pay:{" "}
                {preview.totals.map((t) => `${t.count} payout(s) ${money(t.amount, t.currency)}`).join(", ")}
              </Text>
            )}
            {previewing ? (
              <BlockStack gap="300">
                <div data-testid="payout-preview">
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "text", "numeric", "numeric"]}
                    headings={["Creator", "Method", "Amount", "Currency", "Commissions", "Adjustments"]}
                    rows={preview.payouts.map((p) => [
                      p.creatorName,
                      METHOD[p.method],
                      money(p.amount, p.currency),
                      p.currency,
                      String(p.commissionCount),
                      money(p.adjustmentTotal, p.currency),
                    ])}
                  />
                </div>
                {preview.carryOver.length > 0 ? (
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm">
                      Carried over to a later run
                    </Text>
                    {preview.carryOver.map((c) => (
                      <Text as="p" key={`${c.creatorId}-${c.currency}`}>
                        {c.creatorName}: {money(c.balance, c.currency)} ({REASON[c.reason]})
                      </Text>
                    ))}
                  </BlockStack>
                ) : null}
                <InlineStack gap="200">
                  <IntentButton
                    shell={shell}
                    intent="payNow"
                    fields={{ fingerprint: preview.fingerprint }}
                    variant="primary"
                  >
                    Confirm and pay
                  </IntentButton>
                  <Button onClick={() => setPreviewing(false)}>Back</Button>
                </InlineStack>
              </BlockStack>
            ) : null}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Balances by creator
            </Text>
            {balances.creators.length === 0 ? (
              <Text as="p" tone="subdued">
                No creator has earned a commission yet.
              </Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Creator", "Method", "Pending", "Ready", "On hold", "In payouts", "Paid"]}
                rows={balances.creators.map((b) => [
                  b.creatorName,
                  METHOD[b.method],
                  b.pending ? (
                    <PendingCell
                      key={`${b.creatorId}-${b.currency}`}
                      balance={b}
                      commissions={pending.commissions.filter(
                        (c) => c.creatorId === b.creatorId && c.currency === b.currency,
                      )}
                      more={pending.more}
                      base={shell.base}
                    />
                  ) : (
                    money(0, b.currency)
                  ),
                  `${money(b.ready, b.currency)}${b.carriedOver ? ` · carried over: ${REASON[b.carriedOver]}` : ""}`,
                  b.onHold
                    ? `${money(b.onHold, b.currency)} · until ${formatDate(b.onHoldUntil)}`
                    : money(0, b.currency),
                  money(b.inPayouts, b.currency),
                  money(b.paid, b.currency),
                ])}
              />
            )}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <InlineStack align="space-between" blockAlign="center" gap="200">
              <Text as="h2" variant="headingMd">
                History
              </Text>
              <IntentButton shell={shell} intent="reconcile">
                Ask providers about payouts in flight
              </IntentButton>
            </InlineStack>
            <div style={{ maxWidth: 360 }}>
              <TextField
                label="Reference for payouts marked paid"
                placeholder="bank transfer reference"
                value={reference}
                onChange={setReference}
                autoComplete="off"
              />
            </div>
            <InlineStack gap="200">
              <Text as="span" tone="subdued">
                {selected.length} selected
              </Text>
              <Button size="slim" disabled={selected.length === 0} onClick={() => post("markPaid", selected)}>
                Mark selected paid
              </Button>
              <Button size="slim" disabled={selected.length === 0} onClick={() => post("retry", selected)}>
                Retry selected
              </Button>
              <Button
                size="slim"
                tone="critical"
                disabled={selected.length === 0}
                onClick={() => post("cancel", selected)}
              >
                Cancel selected
              </Button>
            </InlineStack>
            {history.runs.length === 0 ? (
              <Text as="p" tone="subdued">
                No payout run yet.
              </Text>
            ) : null}
            {history.runs.map((run) => {
              const csvUrl = `${shell.base}/payouts/${run.id}/csv`;
              return (
                <BlockStack gap="200" key={run.id}>
                  <InlineStack gap="200" blockAlign="center" wrap>
                    <Text as="h3" variant="headingSm">
                      Run {run.id}
                    </Text>
                    <StatusBadge status={run.status} />
                    <Text as="span" tone="subdued">
                      {run.trigger}, {formatDateTime(run.createdAt)} ·{" "}
                      {run.totals.map((t) => `${t.count} × ${money(t.amount, t.currency)}`).join(", ") ||
                        "nothing to pay"}
                    </Text>
                    {run.payouts.length > 0 ? (
                      shell.mode === "standalone" ? (
                        <Button size="slim" url={csvUrl} download>
                          Download CSV
                        </Button>
                      ) : (
                        <Button size="slim" onClick={() => void downloadCsv(csvUrl)}>
                          Download CSV
                        </Button>
                      )
                    ) : null}
                    {run.status === "draft" ? (
                      <IntentButton shell={shell} intent="approveRun" fields={{ runId: run.id }}>
                        Approve and send
                      </IntentButton>
                    ) : null}
                    {run.status === "draft" || run.status === "approved" ? (
                      <IntentButton shell={shell} intent="cancelRun" fields={{ runId: run.id }} tone="critical">
                        Cancel run
                      </IntentButton>
                    ) : null}
                  </InlineStack>
                  {run.carryOver.length > 0 ? (
                    <Text as="p" tone="subdued">
                      Carried over:{" "}
                      {run.carryOver
                        .map((c) => `${name(c.creatorId)} ${money(c.balance, c.currency)} (${REASON[c.reason]})`)
                        .join("; ")}
                    </Text>
                  ) : null}
                  {run.payouts.length > 0 ? (
                    <DataTable
                      columnContentTypes={["text", "text", "text", "numeric", "text", "text", "text", "text"]}
                      headings={["", "Creator", "Provider", "Amount", "Status", "Reference / error", "Commissions", ""]}
                      rows={run.payouts.map((p) => {
                        const settled = history.settled[p.id];
                        const open = p.status !== "paid" && p.status !== "cancelled";
                        return [
                          open ? (
                            <input
                              key="select"
                              type="checkbox"
                              aria-label={`Select payout ${p.id}`}
                              checked={selected.includes(p.id)}
                              onChange={() => toggle(p.id)}
                            />
                          ) : (
                            ""
                          ),
                          name(p.creatorId),
                          METHOD[p.method],
                          money(p.amount, p.currency),
                          <StatusBadge key="s" status={p.status} />,
                          p.failureReason ?? p.lastError ?? p.providerReference ?? "",
                          settled ? (
                            <details key="c">
                              <summary>{settled.count} commission(s)</summary>
                              {settled.commissions.map((c) => (
                                <div key={c.commissionId}>
                                  <RemixLink to={`${shell.base}/conversions/${c.conversionId}`}>
                                    {money(c.amount, p.currency)} · journey
                                  </RemixLink>
                                </div>
                              ))}
                              {settled.count > settled.commissions.length
                                ? `and ${settled.count - settled.commissions.length} more`
                                : null}
                            </details>
                          ) : (
                            "0"
                          ),
                          <InlineStack key="a" gap="100">
                            {p.method === "manual" && (p.status === "approved" || p.status === "processing") ? (
                              <Button size="slim" onClick={() => post("markPaid", [p.id])}>
                                Mark paid
                              </Button>
                            ) : null}
                            {p.status === "failed" ? (
                              <Button size="slim" onClick={() => post("retry", [p.id])}>
                                Retry
                              </Button>
                            ) : null}
                            {open && (p.status !== "processing" || p.method === "manual") ? (
                              <Button size="slim" tone="critical" onClick={() => post("cancel", [p.id])}>
                                Cancel
                              </Button>
                            ) : null}
                          </InlineStack>,
                        ];
                      })}
                    />
                  ) : null}
                </BlockStack>
              );
            })}
          </BlockStack>
        </Card>
        <Layout>
          <Layout.AnnotatedSection
            title="Payout settings"
            description="When runs are made, whether they are sent without review, and how creators without a method of their own are paid."
          >
            <Card>
              <Form method="post">
                <CsrfField token={shell.csrfToken} />
                <Hidden name="intent" value="saveSettings" />
                <BlockStack gap="300">
                  <SelectInput
                    name="schedule"
                    label="Schedule"
                    defaultValue={settings.schedule}
                    onChange={setSchedule}
                    options={schedules.map((s) => ({
                      value: s,
                      label: s === "manual" ? "Off (Pay now only)" : s.replace("_", " "),
                    }))}
                  />
                  {schedule === "weekly" || schedule === "monthly" ? (
                    <SelectInput
                      key={schedule}
                      name="payoutDay"
                      label={schedule === "weekly" ? "Pay on" : "Pay on day of the month"}
                      defaultValue={String(
                        settings.schedule === schedule && (schedule === "monthly" || settings.payoutDay <= 7)
                          ? settings.payoutDay
                          : 1,
                      )}
                      options={
                        schedule === "weekly"
                          ? weekdays.map((name, i) => ({ value: String(i + 1), label: name }))
                          : Array.from({ length: 28 }, (_, i) => ({ value: String(i + 1), label: String(i + 1) }))
                      }
                    />
                  ) : null}
                  <TextField
                    name="holdingDays"
                    label="Default holding period"
                    type="number"
                    min={0}
                    max={365}
                    suffix="days"
                    value={holdingDays}
                    onChange={setHoldingDays}
                    autoComplete="off"
                    helpText="New campaigns hold commissions this long before approving them, unless they set their own."
                  />
                  <SelectInput
                    name="autoApprove"
                    label="Scheduled runs"
                    defaultValue={String(settings.autoApprove)}
                    options={[
                      { value: "false", label: "Wait for my review" },
                      { value: "true", label: "Send at once" },
                    ]}
                  />
                  <SelectInput
                    name="provider"
                    label="Default method"
                    defaultValue={settings.provider}
                    options={providers.map((p) => ({ value: p.method, label: METHOD[p.method] }))}
                  />
                  <TextField
                    name="minimumPayout"
                    label={`Minimum payout (${shell.currency})`}
                    value={minimum}
                    onChange={setMinimum}
                    autoComplete="off"
                    helpText="Smaller balances carry over to a later run. Other currencies need the same amount in their own units."
                  />
                  <TextField
                    name="mailDigestAfter"
                    label="Commission emails per creator per day"
                    type="number"
                    value={digestAfter}
                    onChange={setDigestAfter}
                    autoComplete="off"
                    helpText="Creators are emailed each commission they earn; past this many in a day, the rest come in one digest at the end of the day."
                  />
                  <Text as="p" tone="subdued">
                    Minimum payout: {balances.minimumPayout.map((m) => money(m.amount, m.currency)).join(", ")}; smaller
                    balances carry over.
                  </Text>
                  <InlineStack gap="200">
                    {providers.map((p) => (
                      <Badge key={p.method} tone={p.configured ? "success" : undefined}>
                        {`${METHOD[p.method]}: ${p.configured ? "configured" : "not configured"}`}
                      </Badge>
                    ))}
                  </InlineStack>
                  <InlineStack>
                    <Button submit>Save payout settings</Button>
                  </InlineStack>
                </BlockStack>
              </Form>
              <div style={{ marginTop: 12 }}>
                <IntentButton shell={shell} intent="checkCredentials">
                  Check credentials
                </IntentButton>
              </div>
            </Card>
          </Layout.AnnotatedSection>
        </Layout>
      </BlockStack>
    </Page>
  );
}
