import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign } from "../campaigns/campaign-store.ts";
import { createCreator } from "../creators/creator.ts";
import { sendDueCreatorMails } from "../mail/worker.ts";
import { createMemoryMailer } from "../portal/mailer.ts";
import { hashEmail } from "../shared/hashing.ts";
import { createStore } from "../stores/store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import {
  approveApplication,
  codeBase,
  countApplications,
  inviteCreator,
  listApplications,
  type OnboardingDeps,
  rejectApplication,
  submitApplication,
} from "./applications.ts";
import { setCampaignOnboarding, setProgramTerms } from "./program-settings.ts";
import {
  DiscountCodeError,
  type DiscountSpec,
  type StoreDiscountGateway,
  syncDiscountCodes,
} from "./store-discounts.ts";

let database: TestDatabase;
const mailer = createMemoryMailer();
const clock = new Date("2026-03-01T12:00:00Z");
let deps: OnboardingDeps;
let storeId: string;
let campaignId: string;
const created: DiscountSpec[] = [];
const toggles: { externalId: string; active: boolean }[] = [];
const gateway: StoreDiscountGateway = {
  async create(spec) {
    if (spec.code.startsWith("TAKEN"))
      throw new DiscountCodeError(`${spec.code} is taken; try ${spec.code}2`, `${spec.code}2`);
    created.push(spec);
    return { externalId: `ext-${spec.code}` };
  },
  async setActive(externalId, active) {
    toggles.push({ externalId, active });
  },
};

const applicant = (email: string, extra: Record<string, unknown> = {}) => ({
  name: "Ada Lovelace",
  email,
  profileUrls: ["https://instagram.com/ada"],
  audienceSize: 12000,
  country: "fr",
  note: "I love your tea",
  consent: true,
  termsVersion: 1,
  ...extra,
});

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const { store } = await createStore(db, { platform: "woocommerce", domain: "tea.example.com", currency: "EUR" });
  storeId = store.id;
  const campaign = await createCampaign(db, storeId, {
    name: "Spring",
    startsAt: new Date("2026-02-01T00:00:00Z"),
    endsAt: new Date("2026-06-01T00:00:00Z"),
  });
  campaignId = campaign.id;
  await setCampaignOnboarding(db, storeId, campaignId, {
    discountType: "percentage",
    discountValue: 1500,
    oncePerCustomer: true,
    minimumSubtotal: 2000,
  });
  deps = { db, publicUrl: "https://go.example.com/", discounts: () => gateway, now: () => clock };
});
afterAll(async () => database.destroy());

/** The outbox row a decision enqueued, its data parsed. */
async function outboxRow(dedupKey: string) {
  const row = await database.db.creatorMail.findFirstOrThrow({ where: { storeId, dedupKey } });
  return { ...row, data: JSON.parse(row.data) as unknown };
}

/** Runs the mail worker once; the mails it sent. */
async function deliver() {
  const before = mailer.messages.length;
  await sendDueCreatorMails({ db: database.db, mailer, publicUrl: "https://go.example.com", now: () => clock });
  return mailer.messages.slice(before);
}

describe("applications", () => {
  it("stores an application and refuses a second open one from the same email (any case)", async () => {
    const { application, approved } = await submitApplication(deps, storeId, applicant("first@example.com"), {
      campaignId,
    });
    expect(approved).toBe(false);
    expect(application).toMatchObject({
      status: "new",
      email: "first@example.com",
      country: "FR",
      profileUrls: ["https://instagram.com/ada"],
      source: "form",
    });
    await expect(submitApplication(deps, storeId, applicant("First@Example.com"))).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("already waiting"),
    });
  });

  it("rejects bad input with the field's reason", async () => {
    await expect(
      submitApplication(deps, storeId, applicant("x@example.com", { profileUrls: ["javascript:alert(1)"] })),
    ).rejects.toThrow(/http or https/);
    await expect(submitApplication(deps, storeId, applicant("not-an-email"))).rejects.toThrow(/valid email/);
    await expect(
      submitApplication(deps, storeId, applicant("y@example.com"), { campaignId: "cp_nope" }),
    ).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("asks for consent to the current terms once the store has terms", async () => {
    const { db } = database;
    const terms = await setProgramTerms(db, storeId, { terms: "Be nice.\r\nDisclose the partnership." });
    expect(terms).toEqual({ terms: "Be nice.\nDisclose the partnership.", termsVersion: 1 });
    expect(await setProgramTerms(db, storeId, { terms: "Be nice.\nDisclose the partnership." })).toEqual(terms);
    await expect(
      submitApplication(deps, storeId, applicant("terms@example.com", { consent: false })),
    ).rejects.toMatchObject({ code: "invalid" });
    await expect(
      submitApplication(deps, storeId, applicant("terms@example.com", { consent: true, termsVersion: 0 })),
    ).rejects.toMatchObject({ code: "conflict" });
    const { application } = await submitApplication(
      deps,
      storeId,
      applicant("terms@example.com", { consent: true, termsVersion: 1 }),
    );
    expect(application.termsVersion).toBe(1);
    expect(application.consentedAt).toEqual(clock);
  });

  it("approves: creator, link, discount code in the shop, welcome mail in the outbox, sent by the worker", async () => {
    const { db } = database;
    const [waiting] = await listApplications(db, storeId, { status: "new" });
    const first = (await listApplications(db, storeId)).find((a) => a.email === "first@example.com")!;
    expect(waiting).toBeDefined();
    const result = await approveApplication(deps, storeId, first.id);
    expect(result.fresh).toBe(true);
    expect(result.problems).toEqual([]);
    const creator = await db.creator.findUniqueOrThrow({ where: { id: result.creatorId } });
    expect(creator).toMatchObject({ storeId, name: "Ada Lovelace", emailHash: hashEmail("first@example.com") });
    const links = await db.trackingLink.findMany({ where: { creatorId: creator.id } });
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ campaignId, destinationUrl: "https://tea.example.com/" });
    const codes = await db.discountCode.findMany({ where: { creatorId: creator.id } });
    expect(codes).toHaveLength(1);
    expect(codes[0]).toMatchObject({ code: "ADALOVELACE15", storeStatus: "active", externalId: "ext-ADALOVELACE15" });
    expect(created.at(-1)).toEqual({
      code: "ADALOVELACE15",
      title: "Spring: ADALOVELACE15",
      type: "percentage",
      value: 1500,
      currency: "EUR",
      oncePerCustomer: true,
      minimumSubtotal: 2000,
      startsAt: new Date("2026-02-01T00:00:00Z"),
      endsAt: new Date("2026-06-01T00:00:00Z"),
    });
    // The welcome mail was enqueued with the decision, while the shop's code was still pending.
    expect(await outboxRow(`welcome:${first.id}`)).toMatchObject({
      kind: "welcome",
      creatorId: creator.id,
      status: "queued",
      dueAt: clock,
      data: {
        links: [
          { campaign: "Spring", url: `https://go.example.com/c/${links[0]!.code}`, code: null, codePending: true },
        ],
      },
    });
    const [mail, ...more] = await deliver();
    expect(more).toEqual([]);
    expect(mail!.to).toBe("first@example.com");
    expect(mail!.fromName).toBe("tea.example.com");
    expect(mail!.subject).toBe("Welcome to tea.example.com's creator program");
    expect(mail!.text).toContain(
      `Spring: https://go.example.com/c/${links[0]!.code} (your discount code is being created`,
    );
    expect(mail!.text).toContain("enter this email address at https://go.example.com/portal/sign-in");
    expect(mail!.text).not.toContain("unsubscribe");
    expect(mail!.html).toContain('<a href="https://go.example.com/portal/sign-in">');
    expect(mail!.headers ?? {}).toEqual({});
    // Approving again does nothing more.
    const again = await approveApplication(deps, storeId, first.id);
    expect(again).toMatchObject({ fresh: false, creatorId: creator.id });
    expect(await db.creatorMail.count({ where: { storeId, creatorId: creator.id } })).toBe(1);
    expect(await deliver()).toEqual([]);
    await expect(rejectApplication(deps, storeId, first.id, { reason: "no" })).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("leaves no creator and no mail when the approval fails", async () => {
    const { db } = database;
    const { application } = await submitApplication(deps, storeId, applicant("failed@example.com"));
    await expect(
      approveApplication(deps, storeId, application.id, { campaignIds: ["cp_missing"] }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(await db.creatorApplication.findUniqueOrThrow({ where: { id: application.id } })).toMatchObject({
      status: "new",
      creatorId: null,
    });
    expect(await db.creator.count({ where: { storeId, emailHash: hashEmail("failed@example.com") } })).toBe(0);
    expect(await db.creatorMail.count({ where: { storeId, dedupKey: { endsWith: application.id } } })).toBe(0);
    await rejectApplication(deps, storeId, application.id, { reason: "Not now." });
    await deliver();
  });

  it("joins the store's existing creator with that email, and records a code the shop refused", async () => {
    const { db } = database;
    const existing = await createCreator(db, storeId, { name: "Taken Name", email: "joined@example.com" });
    const { application } = await submitApplication(deps, storeId, applicant("Joined@example.com", { name: "Taken" }));
    const result = await approveApplication(deps, storeId, application.id, { campaignIds: [campaignId] });
    expect(result.creatorId).toBe(existing.id);
    expect(await db.creator.count({ where: { storeId, emailHash: hashEmail("joined@example.com") } })).toBe(1);
    const code = await db.discountCode.findFirstOrThrow({ where: { creatorId: existing.id } });
    expect(code).toMatchObject({
      code: "TAKEN15",
      storeStatus: "failed",
      storeError: "TAKEN15 is taken; try TAKEN152",
    });
    expect(result.problems).toEqual(["TAKEN15 is taken; try TAKEN152"]);
    // An existing creator is told of the new links, not welcomed; a code the shop refused is not offered.
    expect(await db.creatorMail.count({ where: { storeId, dedupKey: `welcome:${application.id}` } })).toBe(0);
    expect(await outboxRow(`application_approved:${application.id}`)).toMatchObject({
      kind: "application_approved",
      creatorId: existing.id,
    });
    const [mail] = await deliver();
    expect(mail!.to).toBe("joined@example.com");
    expect(mail!.subject).toBe("Welcome to tea.example.com's creator program");
    expect(mail!.text).toContain("Your application to tea.example.com's creator program is approved.");
    expect(mail!.text).not.toContain("TAKEN15");
  });

  it("keeps the code as a mapping for the merchant to create when the store has no shop API", async () => {
    const { db } = database;
    const noShop = { ...deps, discounts: undefined };
    const { application } = await submitApplication(noShop, storeId, applicant("mapping@example.com", { name: "Map" }));
    const result = await approveApplication(noShop, storeId, application.id, { campaignIds: [campaignId] });
    expect(await db.discountCode.findFirstOrThrow({ where: { creatorId: result.creatorId } })).toMatchObject({
      code: "MAP15",
      storeStatus: "none",
      externalId: null,
    });
    // A mapping works at once (the merchant creates it in the shop by hand): the mail gives it.
    expect((await outboxRow(`welcome:${application.id}`)).data).toMatchObject({
      links: [{ campaign: "Spring", code: "MAP15", codePending: false }],
    });
    const [mail] = await deliver();
    expect(mail!.text).toMatch(/Spring: https:\/\/go\.example\.com\/c\/\w+, discount code: MAP15/);
  });

  it("rejects with the reason mailed, and lets the applicant apply again", async () => {
    const { db } = database;
    const { application } = await submitApplication(deps, storeId, applicant("no@example.com"));
    const rejected = await rejectApplication(deps, storeId, application.id, { reason: "Your audience is too small." });
    expect(rejected).toMatchObject({ status: "rejected", reason: "Your audience is too small." });
    // The applicant is no creator: the row names the application, whose address the worker uses.
    expect(await outboxRow(`application_rejected:${application.id}`)).toMatchObject({
      kind: "application_rejected",
      creatorId: application.id,
      data: { reason: "Your audience is too small." },
    });
    const [mail, ...more] = await deliver();
    expect(more).toEqual([]);
    expect(mail).toMatchObject({
      to: "no@example.com",
      fromName: "tea.example.com",
      subject: "Your application to tea.example.com's creator program",
    });
    expect(mail!.text).toContain("Hello Ada Lovelace,");
    expect(mail!.text).toContain("The store's reason: Your audience is too small.");
    expect(mail!.text).not.toContain("unsubscribe");
    // Rejecting again enqueues nothing more.
    await rejectApplication(deps, storeId, application.id, { reason: "Another reason" });
    expect(await db.creatorMail.count({ where: { storeId, creatorId: application.id } })).toBe(1);
    await expect(approveApplication(deps, storeId, application.id)).rejects.toMatchObject({ code: "conflict" });
    await expect(rejectApplication(deps, storeId, application.id, { reason: "" })).rejects.toThrow(/say why/);
    const again = await submitApplication(deps, storeId, applicant("no@example.com"));
    expect(again.application.status).toBe("new");
    expect((await countApplications(db, storeId)).rejected).toBe(2);
  });

  it("invites a creator: an application approved at once, or the waiting one approved", async () => {
    const { db } = database;
    const invited = await inviteCreator(deps, storeId, { name: "Cy", email: "cy@example.com", campaignId });
    expect(invited.application).toMatchObject({ source: "invitation", status: "approved", email: "cy@example.com" });
    expect(await outboxRow(`welcome:${invited.application.id}`)).toMatchObject({ creatorId: invited.creatorId });
    expect((await deliver()).map((m) => m.to)).toEqual(["cy@example.com"]);
    const waiting = (await listApplications(db, storeId, { status: "new" })).find((a) => a.email === "no@example.com")!;
    const result = await inviteCreator(deps, storeId, { name: "No", email: "no@example.com", campaignId });
    expect(result.application.id).toBe(waiting.id);
    expect(result.application.status).toBe("approved");
  });

  it("approves automatically when the campaign says so", async () => {
    const { db } = database;
    await setCampaignOnboarding(db, storeId, campaignId, { autoApprove: true, discountType: "none" });
    const result = await submitApplication(
      deps,
      storeId,
      applicant("auto@example.com", { consent: true, termsVersion: 1 }),
      {
        campaignId,
      },
    );
    expect(result.approved).toBe(true);
    expect(result.application).toMatchObject({ status: "approved" });
    expect(await db.discountCode.count({ where: { creatorId: result.application.creatorId! } })).toBe(0);
    await setCampaignOnboarding(db, storeId, campaignId, { discountType: "percentage", discountValue: 1500 });
  });

  it("two approvals at once make one creator, one link, one code and one mail", async () => {
    const { db } = database;
    const { application } = await submitApplication(
      deps,
      storeId,
      applicant("race@example.com", { name: "Race", consent: true, termsVersion: 1 }),
    );
    const results = await Promise.all(
      Array.from({ length: 6 }, () => approveApplication(deps, storeId, application.id)),
    );
    expect(results.filter((r) => r.fresh)).toHaveLength(1);
    expect(new Set(results.map((r) => r.creatorId)).size).toBe(1);
    expect(await db.creator.count({ where: { storeId, emailHash: hashEmail("race@example.com") } })).toBe(1);
    expect(await db.trackingLink.count({ where: { creatorId: results[0]!.creatorId } })).toBe(1);
    expect(await db.discountCode.count({ where: { creatorId: results[0]!.creatorId } })).toBe(1);
    expect(await db.creatorMail.count({ where: { storeId, creatorId: results[0]!.creatorId } })).toBe(1);
    expect(await outboxRow(`welcome:${application.id}`)).toMatchObject({ creatorId: results[0]!.creatorId });
    expect((await deliver()).filter((m) => m.to === "race@example.com")).toHaveLength(1);
  });

  it("an invitation racing the approval of the same address's application makes one creator", async () => {
    const { db } = database;
    const { application } = await submitApplication(deps, storeId, applicant("both@example.com", { name: "Both" }));
    const results = await Promise.all([
      approveApplication(deps, storeId, application.id),
      inviteCreator(deps, storeId, { name: "Both", email: "both@example.com", campaignId }),
      inviteCreator(deps, storeId, { name: "Both", email: "both@example.com", campaignId }),
    ]);
    expect(new Set(results.map((r) => r.creatorId)).size).toBe(1);
    expect(await db.creator.count({ where: { storeId, emailHash: hashEmail("both@example.com") } })).toBe(1);
    expect(await db.trackingLink.count({ where: { creatorId: results[0]!.creatorId } })).toBe(1);
  });

  it("turns the shop's codes off when the creator is archived and on again when restored", async () => {
    const { db } = database;
    const code = await db.discountCode.findFirstOrThrow({ where: { storeId, code: "ADALOVELACE15" } });
    await db.creator.update({ where: { id: code.creatorId }, data: { status: "archived" } });
    await syncDiscountCodes(db, () => gateway, storeId, { creatorId: code.creatorId });
    expect(toggles.at(-1)).toEqual({ externalId: "ext-ADALOVELACE15", active: false });
    expect((await db.discountCode.findUniqueOrThrow({ where: { id: code.id } })).storeStatus).toBe("inactive");
    await db.creator.update({ where: { id: code.creatorId }, data: { status: "active" } });
    await syncDiscountCodes(db, () => gateway, storeId, { creatorId: code.creatorId });
    expect(toggles.at(-1)).toEqual({ externalId: "ext-ADALOVELACE15", active: true });
  });

  it("makes codes from names", () => {
    expect(codeBase("Zoë d'Arc")).toBe("ZOEDARC");
    expect(codeBase("李")).toBe("CREATOR");
  });
});
