import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Page, Text } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { redeemSignInToken } from "@trailmark/core/admin";
import { AppError } from "@trailmark/core/shared";
import { isSameOrigin, isValidLoginCsrf, loginCsrf, sessionCookie } from "../admin/standalone.server.ts";
import { Hidden } from "../admin/ui/fields.tsx";
import { PolarisStandaloneProvider } from "../admin/ui/standalone-frame.tsx";
import { getDatabase } from "../db.server.ts";

// The page an emailed sign-in link opens. Opening it changes nothing (mail scanners open links too); the
// button spends the token.

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const csrf = loginCsrf(request);
  return data(
    { token, csrfToken: csrf.token },
    csrf.setCookie ? { headers: { "Set-Cookie": csrf.setCookie } } : undefined,
  );
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const form = await request.formData();
  if (!isSameOrigin(request) || !isValidLoginCsrf(request, form.get("_csrf"))) {
    return data({ error: "This page expired; open the link from your email again." }, { status: 403 });
  }
  try {
    const grant = await redeemSignInToken(getDatabase().db, String(form.get("token") ?? ""));
    throw redirect("/admin", { headers: { "Set-Cookie": sessionCookie(request, grant.token, grant.expiresAt) } });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return data({ error: error.message }, { status: error.status });
  }
};

export default function SignInLink() {
  const { token, csrfToken } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <PolarisStandaloneProvider>
      <Page narrowWidth>
        <Box paddingBlockStart="1600">
          <Card>
            <BlockStack gap="400">
              <Text as="h1" variant="headingLg">
                Sign in to Trailmark
              </Text>
              {result?.error ? (
                <Banner tone="critical" action={{ content: "Back to sign-in", url: "/admin/login" }}>
                  <p>{result.error}</p>
                </Banner>
              ) : null}
              <Form method="post">
                <Hidden name="_csrf" value={csrfToken} />
                <Hidden name="token" value={token} />
                <Button submit variant="primary">
                  Sign in
                </Button>
              </Form>
            </BlockStack>
          </Card>
        </Box>
      </Page>
    </PolarisStandaloneProvider>
  );
}
