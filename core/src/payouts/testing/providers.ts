// The three payout providers against MSW fakes of Stripe's and PayPal's APIs, and a creator onboarded to
// Stripe Connect through them, as the payout tests set them up.

import type { SetupServer } from "msw/node";
import type { Db } from "../../db/client.ts";
import { ManualPayoutProvider } from "../manual-provider.ts";
import { startStripeOnboarding } from "../payout-settings.ts";
import { PayPalPayoutsProvider } from "../paypal-provider.ts";
import type { PayoutProviders } from "../provider.ts";
import { StripeConnectProvider } from "../stripe-provider.ts";
import { type FakePayPal, fakePayPal, TEST_PAYPAL_CLIENT } from "./paypal-handlers.ts";
import { type FakeStripe, fakeStripe } from "./stripe-handlers.ts";

export interface FakeProviders {
  stripe: FakeStripe;
  paypal: FakePayPal;
  /** New provider clients (no cached tokens, as in a fresh process) talking to the same fakes. */
  providers(): PayoutProviders;
}

/** Fresh Stripe and PayPal fakes, their handlers added to the test's MSW server. */
export function fakeProviders(
  server: SetupServer,
  options: { timeoutMs: number; stripeBalance?: Record<string, number> },
): FakeProviders {
  const stripe = fakeStripe(options.stripeBalance ? { balance: options.stripeBalance } : {});
  const paypal = fakePayPal();
  server.use(...stripe.handlers, ...paypal.handlers);
  const { timeoutMs } = options;
  return {
    stripe,
    paypal,
    providers: () => ({
      stripe: new StripeConnectProvider({ secretKey: stripe.secretKey, timeoutMs }),
      paypal: new PayPalPayoutsProvider({ ...TEST_PAYPAL_CLIENT, baseUrl: paypal.baseUrl, timeoutMs }),
      manual: new ManualPayoutProvider(),
    }),
  };
}

/** Starts the creator's Stripe Connect onboarding, as the admin's button does; returns the connected account id. */
export async function onboardStripe(
  db: Db,
  providers: PayoutProviders,
  storeId: string,
  creatorId: string,
): Promise<string> {
  const { accountId } = await startStripeOnboarding(db, storeId, creatorId, providers.stripe as StripeConnectProvider, {
    refreshUrl: "https://app.example.com/r",
    returnUrl: "https://app.example.com/d",
  });
  return accountId;
}
