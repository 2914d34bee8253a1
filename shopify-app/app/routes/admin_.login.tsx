import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Divider, FormLayout, Page, Text } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { createSignInToken, getAdminSession, signInWithPassword } from "@trailmark/core/admin";
import { parseForm, SignInFormSchema, SignInLinkFormSchema } from "@trailmark/core/browser";
import { AppError } from "@trailmark/core/shared";
import { linkRequests, passwordAttempts } from "../admin/sign-in-limits.server.ts";
import { signInMailer } from "../admin/sign-in-mail.server.ts";
import {
  isSameOrigin,
  isValidLoginCsrf,
  loginCsrf,
  readCookie,
  SESSION_COOKIE,
  safeNext,
  sessionCookie,
} from "../admin/standalone.server.ts";
import { publicUrl } from "../admin/store-context.server.ts";
import { Hidden, TextInput, useFormCheck } from "../admin/ui/fields.tsx";
import { PolarisStandaloneProvider } from "../admin/ui/standalone-frame.tsx";
import { getDatabase } from "../db.server.ts";

// Sign-in for the standalone admin: email and password, or a one-time link sent by email (printed to the log in
// development). Both forms carry a double-submit CSRF token, so another site cannot sign a browser in.

const LINK_SENT = "If an account uses that email, a sign-in link is on its way. It works once, for 15 minutes.";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const next = safeNext(new URL(request.url).searchParams.get("next"));
  const { db } = getDatabase();
  if (await getAdminSession(db, readCookie(request, SESSION_COOKIE))) throw redirect(next);
  const csrf = loginCsrf(request);
  return data(
    { csrfToken: csrf.token, next, links: signInMailer() !== null },
    csrf.setCookie ? { headers: { "Set-Cookie": csrf.setCookie } } : undefined,
  );
};

type ActionResult =
  | { intent: "password" | "link"; ok: false; errors: Record<string, string> }
  | { intent: "link"; ok: true; message: string };

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const form = await request.formData();
  if (!isSameOrigin(request) || !isValidLoginCsrf(request, form.get("_csrf"))) {
    return data<ActionResult>(
      { intent: "password", ok: false, errors: { form: "The sign-in form expired; reload the page and try again." } },
      { status: 403 },
    );
  }
  const values = Object.fromEntries([...form].flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));
  const { db } = getDatabase();
  const clientIp = typeof context?.clientIp === "string" ? context.clientIp : null;
  if (form.get("intent") === "link") {
    const mailer = signInMailer();
    const parsed = parseForm(SignInLinkFormSchema, values);
    if (!parsed.ok) return data<ActionResult>({ intent: "link", ok: false, errors: parsed.errors }, { status: 400 });
    if (!mailer) {
      return data<ActionResult>(
        { intent: "link", ok: false, errors: { form: "Sign-in links are not available; use your password." } },
        { status: 400 },
      );
    }
    // Over either limit, and for an unknown address, the answer is the same: it tells nothing about accounts.
    if (clientIp && (await linkRequests.take(clientIp)) > 0) {
      console.warn(`admin sign-in links: too many requests from ${clientIp}; none sent`);
      return data<ActionResult>({ intent: "link", ok: true, message: LINK_SENT });
    }
    const link = await createSignInToken(db, parsed.data.email);
    if (link) {
      // From the configured public URL, never the request's Host: a forged Host would otherwise send the owner
      // a link to someone else's server, carrying the token.
      const url = new URL("/admin/login/link", `${publicUrl()}/`);
      url.searchParams.set("token", link.token);
      // Not awaited: a slow mail server must not tell a known address from an unknown one by the answer's time,
      // and a mail that cannot be sent is the server's problem, not something to show the visitor.
      mailer({ to: link.email, url: url.toString(), expiresAt: link.expiresAt }).catch((error: unknown) =>
        console.error("could not send an owner sign-in link", error),
      );
    }
    return data<ActionResult>({ intent: "link", ok: true, message: LINK_SENT });
  }
  const parsed = parseForm(SignInFormSchema, values);
  if (!parsed.ok) return data<ActionResult>({ intent: "password", ok: false, errors: parsed.errors }, { status: 400 });
  // Awaited: a limiter shared between processes answers asynchronously.
  const waitSeconds = clientIp ? await passwordAttempts.take(clientIp) : 0;
  if (waitSeconds > 0) {
    const minutes = Math.ceil(waitSeconds / 60);
    return data<ActionResult>(
      {
        intent: "password",
        ok: false,
        errors: {
          form: `Too many sign-in attempts from your network; try again in ${minutes} minute${minutes === 1 ? "" : "s"} or sign in with an emailed link.`,
        },
      },
      { status: 429, headers: { "Retry-After": String(waitSeconds) } },
    );
  }
  try {
    const grant = await signInWithPassword(db, parsed.data.email, parsed.data.password);
    throw redirect(safeNext(String(form.get("next") ?? "")), {
      headers: { "Set-Cookie": sessionCookie(request, grant.token, grant.expiresAt) },
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return data<ActionResult>(
      { intent: "password", ok: false, errors: { form: error.message } },
      { status: error.status },
    );
  }
};

export default function Login() {
  const { csrfToken, next, links: linksEnabled } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const password = useFormCheck(SignInFormSchema, result?.intent === "password" && !result.ok ? result.errors : null);
  const link = useFormCheck(SignInLinkFormSchema, result?.intent === "link" && !result.ok ? result.errors : null);
  const busy = navigation.state !== "idle";
  return (
    <PolarisStandaloneProvider>
      <Page narrowWidth>
        <Box paddingBlockStart="1600">
          <Card>
            <BlockStack gap="500">
              <BlockStack gap="100">
                <Text as="h1" variant="headingXl">
                  Trailmark
                </Text>
                <Text as="p" tone="subdued">
                  Sign in to your store's attribution admin.
                </Text>
              </BlockStack>
              {password.errors.form ? (
                <Banner tone="critical">
                  <p>{password.errors.form}</p>
                </Banner>
              ) : null}
              <Form method="post" onSubmit={password.onSubmit} onChange={password.onChange} noValidate>
                <Hidden name="_csrf" value={csrfToken} />
                <Hidden name="intent" value="password" />
                <Hidden name="next" value={next} />
                <FormLayout>
                  <TextInput
                    name="email"
                    label="Email"
                    type="email"
                    autoComplete="username"
                    error={password.errors.email}
                  />
                  <TextInput
                    name="password"
                    label="Password"
                    type="password"
                    autoComplete="current-password"
                    error={password.errors.password}
                  />
                  <Button submit variant="primary" loading={busy}>
                    Sign in
                  </Button>
                </FormLayout>
              </Form>
              {linksEnabled ? (
                <>
                  <Divider />
                  {result?.intent === "link" && result.ok ? (
                    <Banner tone="success">
                      <p>{result.message}</p>
                    </Banner>
                  ) : null}
                  {link.errors.form ? (
                    <Banner tone="critical">
                      <p>{link.errors.form}</p>
                    </Banner>
                  ) : null}
                  <Form method="post" onSubmit={link.onSubmit} onChange={link.onChange} noValidate>
                    <Hidden name="_csrf" value={csrfToken} />
                    <Hidden name="intent" value="link" />
                    <FormLayout>
                      <TextInput
                        name="email"
                        label="Or get a one-time sign-in link"
                        type="email"
                        error={link.errors.email}
                      />
                      <Button submit>Email me a link</Button>
                    </FormLayout>
                  </Form>
                </>
              ) : null}
            </BlockStack>
          </Card>
        </Box>
      </Page>
    </PolarisStandaloneProvider>
  );
}
