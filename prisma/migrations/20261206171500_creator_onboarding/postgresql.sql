-- AlterTable
ALTER TABLE "Store" ADD COLUMN "handle" TEXT;
-- Existing stores get a random handle (store-<10 hex digits>); the merchant chooses a nicer one in Settings.
UPDATE "Store" SET "handle" = 'store-' || substr(md5(random()::text || "id"), 1, 10);
CREATE UNIQUE INDEX "Store_handle_key" ON "Store"("handle");

-- AlterTable
ALTER TABLE "DiscountCode" ADD COLUMN "storeStatus" TEXT NOT NULL DEFAULT 'none';
ALTER TABLE "DiscountCode" ADD COLUMN "externalId" TEXT;
ALTER TABLE "DiscountCode" ADD COLUMN "storeError" TEXT;

-- CreateTable
CREATE TABLE "ProgramSettings" (
    "storeId" TEXT NOT NULL PRIMARY KEY,
    "terms" TEXT NOT NULL DEFAULT '',
    "termsVersion" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL
);

-- CreateTable
CREATE TABLE "CampaignOnboarding" (
    "campaignId" TEXT NOT NULL PRIMARY KEY,
    "storeId" TEXT NOT NULL,
    "autoApprove" BOOLEAN NOT NULL DEFAULT false,
    "discountType" TEXT NOT NULL DEFAULT 'none',
    "discountValue" BIGINT NOT NULL DEFAULT 0,
    "oncePerCustomer" BOOLEAN NOT NULL DEFAULT true,
    "minimumSubtotal" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL
);
CREATE INDEX "CampaignOnboarding_storeId_idx" ON "CampaignOnboarding"("storeId");

-- CreateTable
CREATE TABLE "CreatorApplication" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "storeId" TEXT NOT NULL,
    "campaignId" TEXT,
    "source" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "profileUrls" TEXT NOT NULL DEFAULT '[]',
    "audienceSize" INTEGER,
    "country" TEXT,
    "note" TEXT,
    "termsVersion" INTEGER,
    "consentedAt" TIMESTAMP(3),
    "status" TEXT NOT NULL,
    "openKey" TEXT,
    "reason" TEXT,
    "creatorId" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL
);
CREATE UNIQUE INDEX "CreatorApplication_storeId_openKey_key" ON "CreatorApplication"("storeId", "openKey");
CREATE INDEX "CreatorApplication_storeId_status_createdAt_idx" ON "CreatorApplication"("storeId", "status", "createdAt");
