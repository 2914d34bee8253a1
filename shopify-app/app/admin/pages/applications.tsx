import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  EmptyState,
  FormLayout,
  InlineStack,
  Layout,
  Link,
  Page,
  Tabs,
  Text,
} from "@shopify/polaris";
import { formatMinorUnits } from "@trailmark/core/browser";
import { CheckboxInput, CsrfField, Hidden, SelectInput, TextInput } from "../ui/fields.tsx";
import { formatDateTime, formatNumber } from "../ui/format.ts";
import { EMPTY_IMAGE, NavigationProgress, type Shell } from "../ui/shell.tsx";
import type { applicationsLoader } from "./applications.server.ts";

type Result =
  | { ok: true; intent: string; message: string }
  | { ok: false; intent: string; errors: Record<string, string> };
type Data = ReturnType<typeof useLoaderData<typeof applicationsLoader>>;
type Application = Data["applications"][number];
type Campaign = Data["campaigns"][number];

const STATUSES = [
  { id: "new", content: "New" },
  { id: "approved", content: "Approved" },
  { id: "rejected", content: "Rejected" },
] as const;

function useBusy(intent: string, id?: string) {
  const navigation = useNavigation();
  return (
    navigation.state === "submitting" &&
    navigation.formData?.get("intent") === intent &&
    (id === undefined || navigation.formData?.get("applicationId") === id)
  );
}

function ApplicationCard({
  shell,
  application: a,
  campaigns,
  errors,
}: {
  shell: Shell;
  application: Application;
  campaigns: Campaign[];
  errors: Record<string, string> | null;
}) {
  const approving = useBusy("approve", a.id);
  const rejecting = useBusy("reject", a.id);
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingSm">
            {a.name} · {a.email}
          </Text>
          <InlineStack gap="200">
            {a.source === "invitation" ? <Badge>Invited</Badge> : null}
            {a.campaign ? <Badge tone="info">{a.campaign}</Badge> : null}
          </InlineStack>
        </InlineStack>
        <Text as="p" tone="subdued">
          Applied {formatDateTime(a.createdAt)}
          {a.audienceSize !== null ? ` · audience ${formatNumber(a.audienceSize)}` : ""}
          {a.country ? ` · ${a.country}` : ""}
        </Text>
        {a.profileUrls.length > 0 ? (
          <InlineStack gap="300">
            {a.profileUrls.map((url) => (
              <Link key={url} url={url} target="_blank">
                {url}
              </Link>
            ))}
          </InlineStack>
        ) : null}
        {a.note ? <Text as="p">{a.note}</Text> : null}
        {a.reason ? (
          <Text as="p" tone="critical">
            Rejected: {a.reason}
          </Text>
        ) : null}
        {a.decidedAt && !a.reason ? <Text as="p">Approved {formatDateTime(a.decidedAt)}</Text> : null}
        {a.decidedAt === null ? (
          <InlineStack gap="400" blockAlign="end">
            <Form method="post">
              <CsrfField token={shell.csrfToken} />
              <Hidden name="intent" value="approve" />
              <Hidden name="applicationId" value={a.id} />
              <InlineStack gap="200" blockAlign="end">
                {a.campaignId ? null : (
                  <SelectInput
                    name="campaignIds"
                    label="Campaign"
                    options={[
                      { label: "All active campaigns", value: "" },
                      ...campaigns.map((c) => ({ label: c.name, value: c.id })),
                    ]}
                  />
                )}
                <Button submit variant="primary" loading={approving}>
                  Approve
                </Button>
              </InlineStack>
            </Form>
            <Form method="post">
              <CsrfField token={shell.csrfToken} />
              <Hidden name="intent" value="reject" />
              <Hidden name="applicationId" value={a.id} />
              <InlineStack gap="200" blockAlign="end">
                <Box minWidth="280px">
                  <TextInput
                    name="reason"
                    label="Reason (sent to the applicant)"
                    error={errors?.reason}
                    maxLength={1000}
                  />
                </Box>
                <Button submit tone="critical" loading={rejecting}>
                  Reject
                </Button>
              </InlineStack>
            </Form>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function OnboardingForm({ shell, campaign, result }: { shell: Shell; campaign: Campaign; result: Result | undefined }) {
  const o = campaign.onboarding;
  const intent = `saveOnboarding:${campaign.id}`;
  const errors = result && !result.ok && result.intent === intent ? result.errors : {};
  const saved = result?.ok && result.intent === intent ? result.message : null;
  const value =
    o.discountType === "percentage"
      ? String(o.discountValue / 100)
      : o.discountType === "fixed_amount"
        ? formatMinorUnits(o.discountValue, campaign.currency)
        : "";
  return (
    <Form method="post" data-campaign={campaign.id}>
      <CsrfField token={shell.csrfToken} />
      <Hidden name="intent" value="saveOnboarding" />
      <Hidden name="campaignId" value={campaign.id} />
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          {campaign.name}
        </Text>
        {saved ? <Banner tone="success">{saved}</Banner> : null}
        <CheckboxInput
          name="autoApprove"
          value="1"
          label="Approve applications automatically"
          defaultChecked={o.autoApprove}
        />
        <FormLayout.Group>
          <SelectInput
            name="discountType"
            label="Customer discount of creators' codes"
            defaultValue={o.discountType}
            error={errors.discountType}
            options={[
              { label: "No code", value: "none" },
              { label: "Percentage off", value: "percentage" },
              { label: `Fixed amount off (${campaign.currency})`, value: "fixed_amount" },
            ]}
          />
          <TextInput
            name="discountValue"
            label="Discount (% or amount)"
            defaultValue={value}
            error={errors.discountValue}
          />
          <TextInput
            name="minimumSubtotal"
            label={`Minimum subtotal (${campaign.currency})`}
            defaultValue={o.minimumSubtotal > 0 ? formatMinorUnits(o.minimumSubtotal, campaign.currency) : ""}
            error={errors.minimumSubtotal}
          />
        </FormLayout.Group>
        <CheckboxInput name="oncePerCustomer" value="1" label="Once per customer" defaultChecked={o.oncePerCustomer} />
        <InlineStack>
          <Button submit>Save</Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

export function ApplicationsPage() {
  const data = useLoaderData<typeof applicationsLoader>();
  const { shell } = data;
  const result = useActionData<Result | undefined>();
  const navigation = useNavigation();
  const inviting = navigation.state === "submitting" && navigation.formData?.get("intent") === "invite";
  const errorsFor = (intent: string) => (result && !result.ok && result.intent === intent ? result.errors : null);
  const invite = errorsFor("invite");
  const selected = STATUSES.findIndex((s) => s.id === data.status);
  const banner =
    result && (result.ok ? !result.intent.startsWith("saveOnboarding") : result.errors.form) ? (
      <Banner tone={result.ok ? "success" : "critical"}>
        <p>{result.ok ? result.message : result.errors.form}</p>
      </Banner>
    ) : null;
  return (
    <Page
      title="Applications"
      subtitle={data.applyUrl ? `Creators apply at ${data.applyUrl}` : "Choose your page's address in Settings."}
    >
      <NavigationProgress />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {data.missingDiscountScope ? (
              <Banner tone="warning" title="Trailmark needs a new permission">
                <p>
                  To create creators' discount codes in your shop, Trailmark now asks for permission to manage discounts
                  (write_discounts). Open Trailmark from Apps in your Shopify admin and accept the updated permissions;
                  until then codes are kept here and created in your shop once you do.
                </p>
              </Banner>
            ) : null}
            {banner}
            <Tabs
              tabs={STATUSES.map((s) => ({
                id: s.id,
                content: `${s.content} (${data.counts[s.id]})`,
                url: s.id === "new" ? `${shell.base}/applications` : `${shell.base}/applications?status=${s.id}`,
              }))}
              selected={selected}
            />
            {data.applications.length === 0 ? (
              <Card>
                <EmptyState heading="No applications here" image={EMPTY_IMAGE}>
                  <p>
                    {data.applyUrl
                      ? `Share ${data.applyUrl} with creators, or invite one below.`
                      : "Invite a creator below."}
                  </p>
                </EmptyState>
              </Card>
            ) : (
              data.applications.map((a) => (
                <ApplicationCard
                  key={a.id}
                  shell={shell}
                  application={a}
                  campaigns={data.campaigns}
                  errors={result && !result.ok && result.intent === `reject:${a.id}` ? result.errors : null}
                />
              ))
            )}
          </BlockStack>
        </Layout.Section>
        <Layout.AnnotatedSection
          title="Invite a creator"
          description="The creator receives the welcome mail with their link, their code and a portal sign-in."
        >
          <Card>
            <Form method="post" noValidate>
              <CsrfField token={shell.csrfToken} />
              <Hidden name="intent" value="invite" />
              <FormLayout>
                <TextInput name="name" label="Name" error={invite?.name} />
                <TextInput name="email" label="Email" type="email" error={invite?.email} />
                <SelectInput
                  name="campaignId"
                  label="Campaign"
                  error={invite?.campaignId}
                  options={data.campaigns.map((c) => ({ label: c.name, value: c.id }))}
                />
                <InlineStack align="end">
                  <Button submit variant="primary" loading={inviting} disabled={data.campaigns.length === 0}>
                    Invite
                  </Button>
                </InlineStack>
              </FormLayout>
            </Form>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Campaign settings"
          description="Per campaign: approve without review, and the discount each creator's code gives customers. The code is created in your shop when a creator is approved."
        >
          <Card>
            <BlockStack gap="500">
              {data.campaigns.map((c) => (
                <OnboardingForm key={c.id} shell={shell} campaign={c} result={result} />
              ))}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
