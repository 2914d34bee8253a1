import { z } from "zod";

// The onboarding forms' schemas (the public application form and the admin's), node-free so an admin page
// bundle may take them through @trailmark/core/browser. The server parses with the same schemas.

export const APPLICATION_STATUSES = ["new", "approved", "rejected"] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export const DISCOUNT_TYPES = ["none", "percentage", "fixed_amount"] as const;
export type DiscountType = (typeof DISCOUNT_TYPES)[number];
export const MAX_PROFILE_URLS = 5;
export const MAX_TERMS_LENGTH = 20_000;

const ProfileUrlSchema = z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(500);

/** What an applicant sends (the form's text fields already split and converted). */
export const ApplicationInputSchema = z
  .object({
    name: z.string().trim().min(1, "enter your name").max(200),
    email: z.email("enter a valid email address").max(320).trim().toLowerCase(),
    profileUrls: z.array(ProfileUrlSchema).max(MAX_PROFILE_URLS, `at most ${MAX_PROFILE_URLS} profiles`).default([]),
    audienceSize: z.number().int().min(0).max(10_000_000_000).nullable().default(null),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, "a two-letter country code such as FR")
      .nullable()
      .default(null),
    note: z.string().trim().max(2000).nullable().default(null),
    /** The terms version the applicant saw and accepted; consent is required when the store has terms. */
    termsVersion: z.number().int().min(0).nullable().default(null),
    consent: z.boolean().default(false),
  })
  .strict();
export type ApplicationInput = z.input<typeof ApplicationInputSchema>;

/** The admin's invitation: an application already approved. */
export const InvitationInputSchema = z
  .object({
    name: z.string().trim().min(1, "enter the creator's name").max(200),
    email: z.email("enter a valid email address").max(320).trim().toLowerCase(),
    campaignId: z.string().min(1, "choose a campaign"),
  })
  .strict();
export type InvitationInput = z.input<typeof InvitationInputSchema>;

export const RejectionInputSchema = z
  .object({ reason: z.string().trim().min(1, "say why: the applicant receives it").max(1000) })
  .strict();

/** Per campaign: approve without review, and the customer discount each creator's code gives. */
export const CampaignOnboardingInputSchema = z
  .object({
    autoApprove: z.boolean().default(false),
    discountType: z.enum(DISCOUNT_TYPES).default("none"),
    /** Basis points for a percentage (1000 = 10%), minor units for a fixed amount. */
    discountValue: z.number().int().min(0).default(0),
    oncePerCustomer: z.boolean().default(true),
    minimumSubtotal: z.number().int().min(0).default(0),
  })
  .strict()
  .refine((d) => d.discountType !== "percentage" || (d.discountValue > 0 && d.discountValue <= 10_000), {
    message: "a percentage between 0.01 and 100",
    path: ["discountValue"],
  })
  .refine((d) => d.discountType !== "fixed_amount" || d.discountValue > 0, {
    message: "an amount above zero",
    path: ["discountValue"],
  });
export type CampaignOnboardingInput = z.input<typeof CampaignOnboardingInputSchema>;
export type CampaignOnboarding = z.output<typeof CampaignOnboardingInputSchema>;

export const ProgramTermsInputSchema = z.object({ terms: z.string().max(MAX_TERMS_LENGTH) }).strict();
