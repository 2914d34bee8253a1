export * from "./errors.ts";
export * from "./hashing.ts";
export * from "./ids.ts";
export * from "./money.ts";
export {
  isValidCsrfToken,
  MAX_PENDING_SIGN_IN_LINKS,
  newToken,
  SIGN_IN_LINK_ADDRESS_WINDOW_MS,
  SIGN_IN_LINK_REQUESTS_PER_ADDRESS,
  SIGN_IN_LINK_TTL_MS,
  SIGN_IN_LINK_WINDOW_MS,
} from "./sign-in-link.ts";
