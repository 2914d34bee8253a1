import { PASSWORD_ATTEMPTS_PER_ADDRESS, PASSWORD_ATTEMPTS_WINDOW_MS } from "@trailmark/core/admin";
import { createRateLimiter } from "@trailmark/core/http";
import { SIGN_IN_LINK_ADDRESS_WINDOW_MS, SIGN_IN_LINK_REQUESTS_PER_ADDRESS } from "@trailmark/core/shared";

// By client address (`context.clientIp` from core's server), shared through Redis when REDIS_URL is set: a second
// line behind the per-account limit on pending links, which createSignInToken counts in the database.
export const linkRequests = createRateLimiter({
  name: "admin-sign-in-links",
  limit: SIGN_IN_LINK_REQUESTS_PER_ADDRESS,
  windowMs: SIGN_IN_LINK_ADDRESS_WINDOW_MS,
});

// Password attempts per client address, whichever accounts they name: the per-account lockout alone lets one
// address try a few passwords against every account.
export const passwordAttempts = createRateLimiter({
  name: "admin-password-attempts",
  limit: PASSWORD_ATTEMPTS_PER_ADDRESS,
  windowMs: PASSWORD_ATTEMPTS_WINDOW_MS,
});
