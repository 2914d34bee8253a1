import { Form, useActionData, useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  EmptyState,
  FormLayout,
  InlineStack,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import { CreatorFormSchema, DiscountCodeFormSchema, displayMoney, LinkFormSchema } from "@trailmark/core/browser";
import { useState } from "react";
import { CsrfField, Hidden, SelectInput, TextInput, useFormCheck } from "../ui/fields.tsx";

import { Performance } from "../ui/performance.tsx";
import { EMPTY_IMAGE, NavigationProgress, ResultBanner, type Shell } from "../ui/shell.tsx";
import type { creatorLoader, creatorsLoader } from "./creators.server.ts";

type Result =
  | { ok: true; intent: string; message: string; secret?: string | null }
  | { ok: false; intent: string; errors: Record<string, string> };

function useResult() {
  const result = useActionData<Result | undefined>();
  return {
    result,
    errorsFor: (intent: string) => (result && !result.ok && result.intent === intent ? result.errors : null),
    banner: result?.ok ? result : result?.errors.form ? { ok: false, message: result.errors.form } : null,
  };
}

function ArchiveButton({ shell, creatorId, archived }: { shell: Shell; creatorId: string; archived: boolean }) {
  return (
    <Form method="post">
      <CsrfField token={shell.csrfToken} />
      <Hidden name="intent" value={archived ? "restore" : "archive"} />
      <Hidden name="creatorId" value={creatorId} />
      <Button submit size="slim" tone={archived ? undefined : "critical"} variant={archived ? undefined : "plain"}>
        {archived ? "Restore" : "Archive"}
      </Button>
    </Form>
  );
}

export function CreatorsPage() {
  const data = useLoaderData<typeof creatorsLoader>();
  const { shell } = data;
  const { errorsFor, banner, result } = useResult();
  const create = useFormCheck(CreatorFormSchema, errorsFor("create"));
  return (
    <Page
      title={data.showArchived ? "Archived creators" : "Creators"}
      subtitle={shell.storeName}
      backAction={data.showArchived ? { content: "Creators", url: `${shell.base}/creators` } : undefined}
      secondaryActions={
        data.showArchived || data.archivedCount === 0
          ? undefined
          : [{ content: `Archived (${data.archivedCount})`, url: `${shell.base}/creators?status=archived` }]
      }
    >
      <NavigationProgress />
      <BlockStack gap="400">
        <ResultBanner result={banner} />
        {data.creators.length === 0 ? (
          <Card>
            <EmptyState
              heading={data.showArchived ? "No archived creators" : "Add your first creator"}
              image={EMPTY_IMAGE}
            >
              <p>
                {data.showArchived
                  ? "Archived creators keep their history; their links stop tracking."
                  : "Each creator gets a tracking link per campaign and, if you like, a discount code."}
              </p>
            </EmptyState>
          </Card>
        ) : (
          <Card padding="0">
            <DataTable
              columnContentTypes={["text", "text", "numeric", "text", "text", "text", "text"]}
              headings={["Creator", "Email", "Links", "Discount codes", "Owed / paid", "Paid by", ""]}
              rows={data.creators.map((c) => [
                <Link key={c.id} url={`${shell.base}/creators/${c.id}`} removeUnderline>
                  {c.name}
                </Link>,
                c.email ?? "–",
                c.links,
                c.codes.join(", ") || "–",
                owedText(c.payouts),
                c.payouts ? PAYOUT_METHOD[c.payouts.method] : "–",
                <ArchiveButton key="a" shell={shell} creatorId={c.id} archived={c.status === "archived"} />,
              ])}
            />
          </Card>
        )}
        {data.showArchived ? null : (
          <Card>
            <Form
              method="post"
              onSubmit={create.onSubmit}
              onChange={create.onChange}
              noValidate
              key={result?.ok ? result.message : "create"}
            >
              <CsrfField token={shell.csrfToken} />
              <Hidden name="intent" value="create" />
              <FormLayout>
                <Text as="h2" variant="headingMd">
                  Add a creator
                </Text>
                <FormLayout.Group>
                  <TextInput name="name" label="Name" error={create.errors.name} />
                  <TextInput
                    name="email"
                    label="Email (optional)"
                    type="email"
                    error={create.errors.email}
                    helpText="Used to refuse self-referrals: their own orders earn nothing."
                  />
                </FormLayout.Group>
                <InlineStack align="end">
                  <Button submit variant="primary">
                    Add creator
                  </Button>
                </InlineStack>
              </FormLayout>
            </Form>
          </Card>
        )}
      </BlockStack>
    </Page>
  );
}

const PAYOUT_METHOD = { manual: "Manual (CSV)", stripe: "Stripe Connect", paypal: "PayPal" } as const;

/** "12.00 USD owed · 30.00 USD paid", one currency after the other, never summed across them. */
function owedText(payouts: { amounts: { currency: string; owed: number; paid: number }[] } | null): string {
  if (!payouts || payouts.amounts.length === 0) return "–";
  return payouts.amounts
    .map((a) => `${displayMoney(a.owed, a.currency)} owed · ${displayMoney(a.paid, a.currency)} paid`)
    .join("; ");
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="slim"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        });
      }}
      accessibilityLabel={`Copy ${text}`}
    >
      {copied ? "Copied" : "Copy"}
    </Button>
  );
}

type StripeData = ReturnType<typeof useLoaderData<typeof creatorLoader>>["stripe"];

/** Stripe Connect: the creator's connected account, its status as Stripe reports it, and onboarding. */
function StripeConnect({
  shell,
  stripe,
  accountId,
  method,
  link,
}: {
  shell: Shell;
  stripe: StripeData;
  accountId: string | null;
  method: string | null;
  link: string | null;
}) {
  if (method !== "stripe" && !accountId) return null;
  const s = stripe.status;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Stripe Connect
        </Text>
        {!stripe.configured ? (
          <Text as="p" tone="subdued">
            Stripe is not configured on this server (STRIPE_SECRET_KEY).
          </Text>
        ) : null}
        {stripe.back === "refresh" ? (
          <Banner tone="warning">
            <p>The onboarding link expired. Start onboarding again for a new one.</p>
          </Banner>
        ) : null}
        {accountId ? (
          <Text as="p">
            Connected account <code>{accountId}</code>
          </Text>
        ) : (
          <Text as="p" tone="subdued">
            No connected account yet: onboarding creates one.
          </Text>
        )}
        {stripe.error ? (
          <Banner tone="critical">
            <p>{stripe.error}</p>
          </Banner>
        ) : null}
        {s ? (
          <div data-testid="stripe-status">
            <InlineStack gap="200">
              <Badge tone={s.chargesEnabled ? "success" : "attention"}>
                {`Charges ${s.chargesEnabled ? "enabled" : "not enabled"}`}
              </Badge>
              <Badge tone={s.payoutsEnabled ? "success" : "attention"}>
                {`Payouts ${s.payoutsEnabled ? "enabled" : "not enabled"}`}
              </Badge>
              <Badge tone={s.transfersActive ? "success" : "attention"}>
                {s.transfersActive ? "Can receive transfers" : "Cannot receive transfers yet"}
              </Badge>
            </InlineStack>
            <Text as="p" tone={s.requirementsDue.length ? "critical" : "subdued"}>
              {s.requirementsDue.length
                ? `Stripe needs: ${s.requirementsDue.join(", ")}`
                : "Nothing due for Stripe now."}
              {s.disabledReason ? ` (disabled: ${s.disabledReason})` : ""}
            </Text>
          </div>
        ) : null}
        {link ? (
          <Banner tone="info">
            <p>
              The onboarding link works once and expires within minutes:{" "}
              <a href={link} target="_top" rel="noopener" data-testid="stripe-onboarding-link">
                continue to Stripe
              </a>
            </p>
          </Banner>
        ) : null}
        {stripe.configured ? (
          <Form method="post">
            <CsrfField token={shell.csrfToken} />
            <Hidden name="intent" value="stripeOnboard" />
            <Button submit>{accountId ? "Continue Stripe onboarding" : "Start Stripe onboarding"}</Button>
          </Form>
        ) : null}
      </BlockStack>
    </Card>
  );
}

const CODE_STATUS = {
  none: "Create it in your shop",
  pending: "Not created yet",
  active: "Active",
  inactive: "Off",
  failed: "Not created",
} as const;

export function CreatorPage() {
  const data = useLoaderData<typeof creatorLoader>();
  const { shell, creator } = data;
  const { errorsFor, banner, result } = useResult();
  const update = useFormCheck(CreatorFormSchema, errorsFor("update"));
  const code = useFormCheck(DiscountCodeFormSchema, errorsFor("code"));
  const link = useFormCheck(LinkFormSchema, errorsFor("link"));
  const archived = creator.status === "archived";
  const resetKey = result?.ok ? result.message : "form";
  return (
    <Page
      title={creator.name}
      titleMetadata={archived ? <Badge>Archived</Badge> : undefined}
      backAction={{ content: "Creators", url: `${shell.base}/creators` }}
      secondaryActions={<ArchiveButton shell={shell} creatorId={creator.id} archived={archived} />}
    >
      <NavigationProgress />
      <BlockStack gap="400">
        {data.created ? (
          <Banner tone="success">
            <p>Creator added. Give them a tracking link below.</p>
          </Banner>
        ) : null}
        <ResultBanner result={banner} />
        <Performance figures={data.performance} range={data.range} />
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Payouts
            </Text>
            <Text as="p">
              Paid by {data.payouts ? PAYOUT_METHOD[data.payouts.method] : "–"}: {owedText(data.payouts)}
            </Text>
            <InlineStack>
              <Link url={`${shell.base}/payouts`}>See balances and payouts</Link>
            </InlineStack>
            <Form method="post">
              <CsrfField token={shell.csrfToken} />
              <Hidden name="intent" value="payoutMethod" />
              <BlockStack gap="200">
                <SelectInput
                  name="method"
                  label="Pay this creator by"
                  defaultValue={data.payoutAccount?.method ?? "manual"}
                  options={[
                    { value: "manual", label: "Manual (CSV)" },
                    { value: "paypal", label: "PayPal" },
                    { value: "stripe", label: "Stripe Connect" },
                  ]}
                />
                <TextInput
                  name="paypalEmail"
                  label="PayPal email"
                  type="email"
                  defaultValue={data.payoutAccount?.paypalEmail ?? ""}
                  error={errorsFor("payoutMethod")?.paypalEmail}
                />
                <TextInput
                  name="details"
                  label="Payment details for manual payouts"
                  helpText='One per line or separated by ";", e.g. iban=DE89…; name=Ada'
                  multiline={2}
                  defaultValue={Object.entries(data.payoutAccount?.details ?? {})
                    .map(([k, v]) => `${k}=${v}`)
                    .join("; ")}
                  error={errorsFor("payoutMethod")?.form}
                />
                <InlineStack>
                  <Button submit>Save payout method</Button>
                </InlineStack>
              </BlockStack>
            </Form>
          </BlockStack>
        </Card>
        <StripeConnect
          shell={shell}
          stripe={data.stripe}
          accountId={data.payoutAccount?.stripeAccountId ?? null}
          method={data.payoutAccount?.method ?? null}
          link={result?.ok && result.intent === "stripeOnboard" ? (result.secret ?? null) : null}
        />
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Tracking links
            </Text>
            {data.links.length === 0 ? (
              <Text as="p" tone="subdued">
                No links yet.
              </Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "text"]}
                headings={["Campaign", "Tracking URL", "Goes to", ""]}
                rows={data.links.map((l) => [
                  <BlockStack gap="050" key={l.id}>
                    <Text as="span">{l.campaignName}</Text>
                    {l.status === "paused" ? <Badge tone="attention">Paused</Badge> : null}
                  </BlockStack>,
                  <InlineStack gap="200" blockAlign="center" key="url" wrap={false}>
                    <code data-testid="tracking-url">{l.trackingUrl}</code>
                    <CopyButton text={l.trackingUrl} />
                  </InlineStack>,
                  <Text as="span" variant="bodySm" tone="subdued" key="d" breakWord>
                    {l.destinationUrl}
                  </Text>,
                  <Form method="post" key="s">
                    <CsrfField token={shell.csrfToken} />
                    <Hidden name="intent" value="linkStatus" />
                    <Hidden name="linkId" value={l.id} />
                    <Hidden name="status" value={l.status === "active" ? "paused" : "active"} />
                    <Button submit size="slim" variant="plain">
                      {l.status === "active" ? "Pause" : "Resume"}
                    </Button>
                  </Form>,
                ])}
              />
            )}
            {data.campaigns.length === 0 ? (
              <Text as="p" tone="subdued">
                Create a campaign to give {creator.name} a link.
              </Text>
            ) : (
              <Form method="post" onSubmit={link.onSubmit} onChange={link.onChange} noValidate key={`link-${resetKey}`}>
                <CsrfField token={shell.csrfToken} />
                <Hidden name="intent" value="link" />
                <FormLayout>
                  <FormLayout.Group>
                    <SelectInput
                      name="campaignId"
                      label="Campaign"
                      error={link.errors.campaignId}
                      options={data.campaigns.map((c) => ({ label: c.name, value: c.id }))}
                    />
                    <TextInput
                      name="destinationUrl"
                      label="Destination"
                      type="url"
                      defaultValue={`https://${data.storeDomain}/`}
                      error={link.errors.destinationUrl}
                      helpText={`A page on ${data.storeDomain}.`}
                    />
                    <TextInput
                      name="code"
                      label="Code (optional)"
                      error={link.errors.code}
                      helpText="Letters, digits, - or _; random when empty."
                    />
                  </FormLayout.Group>
                  {link.errors.form ? (
                    <Text as="p" tone="critical">
                      {link.errors.form}
                    </Text>
                  ) : null}
                  <InlineStack align="end">
                    <Button submit>Create link</Button>
                  </InlineStack>
                </FormLayout>
              </Form>
            )}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Discount codes
            </Text>
            <Text as="p" tone="subdued">
              An order using one of these codes credits {creator.name}, even without a click. Codes made when an
              application is approved are created in your shop; a code you add here must exist in your shop too.
            </Text>
            {data.codes.length > 0 ? (
              <DataTable
                columnContentTypes={["text", "text", "text", "text"]}
                headings={["Code", "Campaign", "In your shop", ""]}
                rows={data.codes.map((c) => [
                  <InlineStack key="c" gap="200" blockAlign="center">
                    <code data-testid="discount-code">{c.code}</code>
                    <CopyButton text={c.code} />
                  </InlineStack>,
                  c.campaignName,
                  <BlockStack key="s" gap="100">
                    <span>{CODE_STATUS[c.storeStatus as keyof typeof CODE_STATUS] ?? c.storeStatus}</span>
                    {c.storeError ? (
                      <Text as="span" tone="critical">
                        {c.storeError}
                      </Text>
                    ) : null}
                  </BlockStack>,
                  shell.platform !== "custom" && c.storeStatus !== "active" && c.storeStatus !== "inactive" ? (
                    <Form key="r" method="post">
                      <CsrfField token={shell.csrfToken} />
                      <Hidden name="intent" value="pushCode" />
                      <Hidden name="codeId" value={c.id} />
                      <Button submit size="slim">
                        Create in shop
                      </Button>
                    </Form>
                  ) : (
                    ""
                  ),
                ])}
              />
            ) : null}
            {data.campaigns.length > 0 ? (
              <Form method="post" onSubmit={code.onSubmit} onChange={code.onChange} noValidate key={`code-${resetKey}`}>
                <CsrfField token={shell.csrfToken} />
                <Hidden name="intent" value="code" />
                <FormLayout>
                  <FormLayout.Group>
                    <SelectInput
                      name="campaignId"
                      label="Campaign"
                      error={code.errors.campaignId}
                      options={data.campaigns.map((c) => ({ label: c.name, value: c.id }))}
                    />
                    <TextInput name="code" label="Code" error={code.errors.code} />
                  </FormLayout.Group>
                  <InlineStack align="end">
                    <Button submit>Add code</Button>
                  </InlineStack>
                </FormLayout>
              </Form>
            ) : null}
          </BlockStack>
        </Card>
        <Card>
          <Form method="post" onSubmit={update.onSubmit} onChange={update.onChange} noValidate>
            <CsrfField token={shell.csrfToken} />
            <Hidden name="intent" value="update" />
            <FormLayout>
              <Text as="h2" variant="headingMd">
                Details
              </Text>
              <FormLayout.Group>
                <TextInput name="name" label="Name" defaultValue={creator.name} error={update.errors.name} />
                <TextInput
                  name="email"
                  label="Email"
                  type="email"
                  defaultValue={creator.email ?? ""}
                  error={update.errors.email}
                />
              </FormLayout.Group>
              <InlineStack align="end">
                <Button submit>Save</Button>
              </InlineStack>
            </FormLayout>
          </Form>
        </Card>
      </BlockStack>
    </Page>
  );
}
