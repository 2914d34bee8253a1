import { PayoutEnvSchema, parseEnv } from "../config/env.ts";
import { ManualPayoutProvider } from "./manual-provider.ts";
import { PAYPAL_API, PayPalPayoutsProvider } from "./paypal-provider.ts";
import type { PayoutProviders } from "./provider.ts";
import { STRIPE_API, StripeConnectProvider } from "./stripe-provider.ts";

/**
 * The providers this process can use: manual always; Stripe with STRIPE_SECRET_KEY (STRIPE_API_BASE for a
 * stand-in); PayPal with PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET (PAYPAL_API_BASE defaults to live,
 * https://api-m.sandbox.paypal.com for the sandbox). PAYOUT_PROVIDER_TIMEOUT_MS bounds each request.
 */
export function providersFromEnv(source: Record<string, string | undefined> = process.env): PayoutProviders {
  // Parsed on every call: the admin asks per request, and a test may change the keys between two.
  const env = parseEnv(PayoutEnvSchema, source);
  const timeoutMs = env.PAYOUT_PROVIDER_TIMEOUT_MS;
  const providers: PayoutProviders = { manual: new ManualPayoutProvider() };
  if (env.STRIPE_SECRET_KEY) {
    providers.stripe = new StripeConnectProvider({
      secretKey: env.STRIPE_SECRET_KEY,
      baseUrl: env.STRIPE_API_BASE ?? STRIPE_API,
      timeoutMs,
    });
  }
  if (env.PAYPAL_CLIENT_ID && env.PAYPAL_CLIENT_SECRET) {
    providers.paypal = new PayPalPayoutsProvider({
      clientId: env.PAYPAL_CLIENT_ID,
      clientSecret: env.PAYPAL_CLIENT_SECRET,
      baseUrl: env.PAYPAL_API_BASE ?? PAYPAL_API,
      timeoutMs,
    });
  }
  return providers;
}
