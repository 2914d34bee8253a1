import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Button, Card, FormLayout, Page, AppProvider as PolarisAppProvider, Text, TextField } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { useState } from "react";
import { login } from "../shopify.server.ts";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

function loginError(result: Awaited<ReturnType<typeof login>>): string | undefined {
  if (result.shop === LoginErrorType.MissingShop) return "Enter your shop's domain to log in";
  if (result.shop === LoginErrorType.InvalidShop) return "Enter a valid shop domain, such as my-shop.myshopify.com";
  return undefined;
}

// login() redirects to Shopify's OAuth when the form names a shop, and otherwise returns what was wrong.
export const loader = async ({ request }: LoaderFunctionArgs) => ({
  error: loginError(await login(request)),
  polarisTranslations,
});

export const action = async ({ request }: ActionFunctionArgs) => ({ error: loginError(await login(request)) });

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const error = actionData ? actionData.error : loaderData.error;
  return (
    <PolarisAppProvider i18n={loaderData.polarisTranslations}>
      <Page>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h2">
                Log in
              </Text>
              <TextField
                type="text"
                name="shop"
                label="Shop domain"
                helpText="my-shop.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={error}
              />
              <Button submit>Log in</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
