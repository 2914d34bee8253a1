import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { ApiKeyFormSchema, WooConnectFormSchema } from "@trailmark/core/browser";
import { CsrfField, Hidden, TextInput, useFormCheck } from "../ui/fields.tsx";
import { formatDateTime } from "../ui/format.ts";
import { NavigationProgress, type Shell } from "../ui/shell.tsx";
import type { settingsLoader } from "./settings.server.ts";

type Result =
  | { ok: true; intent: string; message: string; secret?: string | null }
  | { ok: false; intent: string; errors: Record<string, string> };

function ActionButton({
  shell,
  intent,
  children,
  fields,
  tone,
  variant,
}: {
  shell: Shell;
  intent: string;
  children: string;
  fields?: Record<string, string>;
  tone?: "critical";
  variant?: "primary" | "plain";
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
      <Button submit tone={tone} variant={variant} loading={busy} size="slim">
        {children}
      </Button>
    </Form>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <InlineStack gap="300" blockAlign="center" wrap={false}>
      <Box minWidth="180px">
        <Text as="span" tone="subdued">
          {label}
        </Text>
      </Box>
      <div>{children}</div>
    </InlineStack>
  );
}

const TRACKING_BADGE = {
  active: { tone: "success", text: "Active" },
  error: { tone: "critical", text: "Not active" },
  silent: { tone: "warning", text: "No recent visits" },
  unknown: { tone: "attention", text: "Not set up yet" },
} as const;

export function SettingsPage() {
  const data = useLoaderData<typeof settingsLoader>();
  const { shell, settings } = data;
  const result = useActionData<Result | undefined>();
  const errorsFor = (intent: string) => (result && !result.ok && result.intent === intent ? result.errors : null);
  const key = useFormCheck(ApiKeyFormSchema, errorsFor("createKey"));
  const woo = useFormCheck(WooConnectFormSchema, errorsFor("wooConnect"));
  const banner = (intent: string) =>
    result?.intent !== intent ? null : result.ok ? (
      <Banner tone="success">
        <p>{result.message}</p>
      </Banner>
    ) : result.errors.form ? (
      <Banner tone="critical">
        <p>{result.errors.form}</p>
      </Banner>
    ) : null;
  const t = settings.tracking;
  const badge = TRACKING_BADGE[t.state];
  const w = settings.webhooks;
  return (
    <Page title="Settings" subtitle={`${settings.store.name} · ${settings.store.domain}`}>
      <NavigationProgress />
      <Layout>
        <Layout.AnnotatedSection
          title={t.kind === "web_pixel" ? "Web pixel" : "Site script"}
          description={
            t.kind === "web_pixel"
              ? "Follows visitors from a creator's link through checkout in your Shopify store."
              : "Follows visitors from a creator's link to sign-up or checkout on your site."
          }
        >
          <Card>
            <BlockStack gap="300">
              {banner("repairPixel")}
              <Row label="Status">
                <Badge tone={badge.tone}>{badge.text}</Badge>
              </Row>
              {t.error ? (
                <Row label="Last error">
                  <Text as="span" tone="critical">
                    {t.error}
                  </Text>
                </Row>
              ) : null}
              {t.checkedAt ? <Row label="Last checked">{formatDateTime(t.checkedAt)}</Row> : null}
              <Row label="Last visit received">{formatDateTime(t.lastEventAt)}</Row>
              {t.scriptTag ? (
                <BlockStack gap="100">
                  <Text as="span" tone="subdued">
                    Add this tag to every page of {settings.store.domain}:
                  </Text>
                  <Box padding="200" background="bg-surface-secondary" borderRadius="200">
                    <code style={{ wordBreak: "break-all" }}>{t.scriptTag}</code>
                  </Box>
                </BlockStack>
              ) : null}
              <InlineStack>
                <ActionButton shell={shell} intent="repairPixel">
                  {data.canRepairPixel ? "Repair web pixel" : "Check again"}
                </ActionButton>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Webhooks"
          description="Orders arrive as webhooks. Each delivery is stored before it is answered, then processed with retries."
        >
          <Card>
            <BlockStack gap="300">
              {banner("retryWebhooks")}
              <Row label="Last delivery">{formatDateTime(w.lastReceivedAt)}</Row>
              <Row label="Last processed">{formatDateTime(w.lastProcessedAt)}</Row>
              <Row label="Waiting">{String(w.pending)}</Row>
              <Row label="Failing, will retry">
                {w.failed > 0 ? <Badge tone="warning">{String(w.failed)}</Badge> : "0"}
              </Row>
              <Row label="Given up">{w.dead > 0 ? <Badge tone="critical">{String(w.dead)}</Badge> : "0"}</Row>
              {w.recentFailures.length > 0 ? (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "text"]}
                  headings={["Received", "Topic", "Attempts", "Error"]}
                  rows={w.recentFailures.map((f) => [
                    formatDateTime(f.receivedAt),
                    f.topic,
                    f.attempts,
                    f.lastError ?? "",
                  ])}
                />
              ) : null}
              {w.failed + w.dead > 0 ? (
                <InlineStack>
                  <ActionButton shell={shell} intent="retryWebhooks">
                    Retry failed deliveries now
                  </ActionButton>
                </InlineStack>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="API keys"
          description={`For the conversions API (POST ${data.publicUrl}/api/v1/conversions). A key is shown once, when it is created.`}
        >
          <Card>
            <BlockStack gap="300">
              {result?.intent === "createKey" && result.ok && result.secret ? (
                <Banner tone="success" title="Copy the key now: it is not shown again.">
                  <Box padding="200" background="bg-surface-secondary" borderRadius="200">
                    <code data-testid="new-api-key" style={{ wordBreak: "break-all" }}>
                      {result.secret}
                    </code>
                  </Box>
                </Banner>
              ) : (
                banner("revokeKey")
              )}
              {settings.apiKeys.length > 0 ? (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={["Name", "Key", "Created", "Last used", ""]}
                  rows={settings.apiKeys.map((k) => [
                    k.name,
                    <code key="p">{`tm_live_${k.prefix}_…`}</code>,
                    formatDateTime(k.createdAt),
                    formatDateTime(k.lastUsedAt),
                    k.revokedAt ? (
                      <Badge key="r">Revoked</Badge>
                    ) : (
                      <ActionButton
                        key="r"
                        shell={shell}
                        intent="revokeKey"
                        fields={{ keyId: k.id }}
                        tone="critical"
                        variant="plain"
                      >
                        Revoke
                      </ActionButton>
                    ),
                  ])}
                />
              ) : null}
              <Form
                method="post"
                onSubmit={key.onSubmit}
                onChange={key.onChange}
                noValidate
                key={result?.intent === "createKey" && result.ok ? (result.secret ?? "k") : "key"}
              >
                <CsrfField token={shell.csrfToken} />
                <Hidden name="intent" value="createKey" />
                <InlineStack gap="200" blockAlign="end">
                  <Box minWidth="240px">
                    <TextInput
                      name="name"
                      label="New key's name"
                      placeholder="Checkout server"
                      error={key.errors.name}
                    />
                  </Box>
                  <Button submit>Create key</Button>
                </InlineStack>
              </Form>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Creator applications"
          description="Creators apply on your public page; you approve them under Applications. Applicants accept these terms."
        >
          <Card>
            <BlockStack gap="300">
              {banner("saveHandle") ?? banner("saveTerms")}
              <Row label="Application page">
                {data.program.applyUrl ? (
                  <code data-testid="apply-url" style={{ wordBreak: "break-all" }}>
                    {data.program.applyUrl}
                  </code>
                ) : (
                  "Choose an address below."
                )}
              </Row>
              <Form method="post" noValidate>
                <CsrfField token={shell.csrfToken} />
                <Hidden name="intent" value="saveHandle" />
                <InlineStack gap="200" blockAlign="end">
                  <Box minWidth="240px">
                    <TextInput
                      name="handle"
                      label="Page address (handle)"
                      prefix="/apply/"
                      defaultValue={data.program.handle}
                      error={errorsFor("saveHandle")?.handle}
                    />
                  </Box>
                  <Button submit>Save address</Button>
                </InlineStack>
              </Form>
              <Form method="post" noValidate>
                <CsrfField token={shell.csrfToken} />
                <Hidden name="intent" value="saveTerms" />
                <BlockStack gap="200">
                  <TextInput
                    name="terms"
                    label={`Program terms${data.program.termsVersion > 0 ? ` (version ${data.program.termsVersion})` : ""}`}
                    multiline={6}
                    defaultValue={data.program.terms}
                    error={errorsFor("saveTerms")?.terms}
                    helpText="Applicants must accept them. Changing them asks later applicants to accept the new version."
                  />
                  <InlineStack>
                    <Button submit>Save terms</Button>
                  </InlineStack>
                </BlockStack>
              </Form>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        {settings.woocommerce ? (
          <Layout.AnnotatedSection
            title="WooCommerce"
            description="Orders arrive by webhook; every 15 minutes the store is also checked for orders a webhook missed."
          >
            <Card>
              <BlockStack gap="300">
                {banner("wooConnect") ?? banner("wooDisconnect")}
                <Row label="Connection">
                  {settings.woocommerce.connected ? (
                    <Badge tone="success">Connected</Badge>
                  ) : settings.woocommerce.receivesWebhooks ? (
                    <Badge tone="attention">Webhooks only: no API keys, missed orders are not reconciled</Badge>
                  ) : (
                    <Badge tone="critical">Not connected</Badge>
                  )}
                </Row>
                <Row label="Shop">{settings.woocommerce.url ?? settings.store.domain}</Row>
                <Row label="Webhooks">{settings.woocommerce.webhookTopics.join(", ") || "–"}</Row>
                <Row label="Last reconciliation">{formatDateTime(settings.woocommerce.lastReconciledAt)}</Row>
                {settings.woocommerce.lastReconcileError ? (
                  <Row label="Last reconciliation error">
                    <Text as="span" tone="critical">
                      {settings.woocommerce.lastReconcileError}
                    </Text>
                  </Row>
                ) : null}
                {settings.woocommerce.connected ? (
                  <InlineStack>
                    <ActionButton shell={shell} intent="wooDisconnect" tone="critical">
                      Disconnect
                    </ActionButton>
                  </InlineStack>
                ) : (
                  <Form method="post" onSubmit={woo.onSubmit} onChange={woo.onChange} noValidate>
                    <CsrfField token={shell.csrfToken} />
                    <Hidden name="intent" value="wooConnect" />
                    <FormLayout>
                      <TextInput
                        name="url"
                        label="Shop address"
                        defaultValue={settings.woocommerce.url ?? `https://${settings.store.domain}`}
                        error={woo.errors.url}
                      />
                      <FormLayout.Group>
                        <TextInput name="key" label="Consumer key" placeholder="ck_…" error={woo.errors.key} />
                        <TextInput
                          name="secret"
                          label="Consumer secret"
                          type="password"
                          placeholder="cs_…"
                          error={woo.errors.secret}
                        />
                      </FormLayout.Group>
                      <Text as="p" variant="bodySm" tone="subdued">
                        WooCommerce → Settings → Advanced → REST API: a key with Read/Write permission.
                      </Text>
                      <InlineStack align="end">
                        <Button submit variant="primary">
                          Connect
                        </Button>
                      </InlineStack>
                    </FormLayout>
                  </Form>
                )}
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>
        ) : null}
        {shell.mode === "standalone" ? (
          <Layout.AnnotatedSection title="Owners" description="Who can sign in to this admin.">
            <Card>
              <DataTable
                columnContentTypes={["text", "text"]}
                headings={["Email", "Last sign-in"]}
                rows={data.owners.map((o) => [o.email, formatDateTime(o.lastSignInAt)])}
              />
            </Card>
          </Layout.AnnotatedSection>
        ) : null}
      </Layout>
    </Page>
  );
}
