-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Store" (
    "id" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "allowedDomains" TEXT NOT NULL DEFAULT '[]',
    "credentials" TEXT NOT NULL DEFAULT '{}',
    "hashKey" TEXT NOT NULL,
    "minimumPayout" BIGINT NOT NULL DEFAULT 2500,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "uninstalledAt" TIMESTAMP(3),

    CONSTRAINT "Store_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN,
    "locale" TEXT,
    "collaborator" BOOLEAN,
    "emailVerified" BOOLEAN,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "goals" TEXT NOT NULL,
    "attributionModel" TEXT NOT NULL DEFAULT 'last_click',
    "lookbackDays" INTEGER NOT NULL DEFAULT 30,
    "halfLifeDays" DOUBLE PRECISION NOT NULL DEFAULT 7,
    "commissionRules" TEXT NOT NULL,
    "minOrderValue" BIGINT NOT NULL DEFAULT 0,
    "holdingDays" INTEGER NOT NULL DEFAULT 30,
    "budgetCap" BIGINT,
    "budgetUsed" BIGINT NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Creator" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "emailHash" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "commissionOverrides" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Creator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DiscountCode" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DiscountCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrackingLink" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "destinationUrl" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrackingLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Click" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "visitorHash" TEXT NOT NULL,
    "qualification" TEXT NOT NULL,
    "country" TEXT,
    "referrerHost" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Click_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Visitor" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Visitor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "visitorId" TEXT,
    "clickIds" TEXT NOT NULL DEFAULT '[]',
    "checkoutToken" TEXT,
    "orderRef" TEXT,
    "value" BIGINT,
    "currency" TEXT,
    "name" TEXT,
    "url" TEXT,
    "referrer" TEXT,
    "customerRef" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "number" TEXT,
    "status" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "total" BIGINT NOT NULL,
    "refunded" BIGINT NOT NULL DEFAULT 0,
    "refunds" TEXT NOT NULL DEFAULT '[]',
    "customerEmailHash" TEXT,
    "customerRef" TEXT,
    "checkoutToken" TEXT,
    "landingUrl" TEXT,
    "clickIds" TEXT NOT NULL DEFAULT '[]',
    "discountCodes" TEXT NOT NULL DEFAULT '[]',
    "isTest" BOOLEAN NOT NULL DEFAULT false,
    "placedAt" TIMESTAMP(3) NOT NULL,
    "sourceUpdatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Conversion" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "orderId" TEXT,
    "eventId" TEXT,
    "value" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "touchKey" TEXT,
    "rejectRule" TEXT,
    "rejectReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Conversion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Attribution" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "conversionId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "clickId" TEXT,
    "touchKind" TEXT NOT NULL,
    "touchAt" TIMESTAMP(3) NOT NULL,
    "position" INTEGER NOT NULL,
    "weightPpm" INTEGER NOT NULL,
    "credit" BIGINT NOT NULL,
    "model" TEXT NOT NULL,

    CONSTRAINT "Attribution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Commission" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "conversionId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "goal" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "original" BIGINT NOT NULL,
    "reserved" BIGINT NOT NULL DEFAULT 0,
    "paidAmount" BIGINT NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL,
    "rule" TEXT,
    "reason" TEXT,
    "holdUntil" TIMESTAMP(3) NOT NULL,
    "approvedAt" TIMESTAMP(3),
    "paidAt" TIMESTAMP(3),
    "reversedAt" TIMESTAMP(3),
    "payoutId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Commission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CommissionAdjustment" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "commissionId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "payoutId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CommissionAdjustment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BudgetEntry" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "commissionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BudgetEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookInbox" (
    "id" TEXT NOT NULL,
    "storeId" TEXT,
    "source" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "headers" TEXT NOT NULL,
    "body" BYTEA NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "WebhookInbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyKey" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "response" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StorePayoutSettings" (
    "storeId" TEXT NOT NULL,
    "schedule" TEXT NOT NULL DEFAULT 'manual',
    "autoApprove" BOOLEAN NOT NULL DEFAULT false,
    "provider" TEXT NOT NULL DEFAULT 'manual',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StorePayoutSettings_pkey" PRIMARY KEY ("storeId")
);

-- CreateTable
CREATE TABLE "CreatorPayoutAccount" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "stripeAccountId" TEXT,
    "stripeReady" BOOLEAN NOT NULL DEFAULT false,
    "paypalEmail" TEXT,
    "details" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CreatorPayoutAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PayoutRun" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "periodKey" TEXT,
    "cutoff" TIMESTAMP(3) NOT NULL,
    "carryOver" TEXT NOT NULL DEFAULT '[]',
    "approvedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PayoutRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Payout" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "method" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "idempotencyKey" TEXT,
    "providerReference" TEXT,
    "failureReason" TEXT,
    "lastError" TEXT,
    "errorCount" INTEGER NOT NULL DEFAULT 0,
    "approvedAt" TIMESTAMP(3),
    "processingAt" TIMESTAMP(3),
    "paidAt" TIMESTAMP(3),
    "failedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Payout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PayoutItem" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "payoutId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "commissionId" TEXT,
    "adjustmentId" TEXT,
    "amount" BIGINT NOT NULL,

    CONSTRAINT "PayoutItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OwnerAccount" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT,
    "failedSignIns" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "lastSignInAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OwnerAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminSession" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AdminSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClickRollup" (
    "storeId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,
    "campaignId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "qualification" TEXT NOT NULL,
    "clicks" INTEGER NOT NULL,

    CONSTRAINT "ClickRollup_pkey" PRIMARY KEY ("storeId","day","campaignId","creatorId","qualification")
);

-- CreateTable
CREATE TABLE "ClickRollupDay" (
    "storeId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClickRollupDay_pkey" PRIMARY KEY ("storeId","day")
);

-- CreateTable
CREATE TABLE "ConversionRollup" (
    "storeId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,
    "campaignId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "conversions" INTEGER NOT NULL,
    "purchases" INTEGER NOT NULL,
    "firstPurchases" INTEGER NOT NULL,
    "signUps" INTEGER NOT NULL,
    "firstSignUps" INTEGER NOT NULL,
    "revenue" BIGINT NOT NULL,
    "spentCommissions" INTEGER NOT NULL,
    "pending" BIGINT NOT NULL,
    "approved" BIGINT NOT NULL,
    "paid" BIGINT NOT NULL,
    "reversed" BIGINT NOT NULL,
    "rejected" BIGINT NOT NULL,
    "overBudget" BIGINT NOT NULL,

    CONSTRAINT "ConversionRollup_pkey" PRIMARY KEY ("storeId","day","campaignId","creatorId","currency")
);

-- CreateTable
CREATE TABLE "ConversionRollupDay" (
    "storeId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversionRollupDay_pkey" PRIMARY KEY ("storeId","day")
);

-- CreateTable
CREATE TABLE "ConversionRollupStale" (
    "id" SERIAL NOT NULL,
    "storeId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,

    CONSTRAINT "ConversionRollupStale_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignInToken" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreatorSignInToken" (
    "id" TEXT NOT NULL,
    "emailHash" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CreatorSignInToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreatorSession" (
    "id" TEXT NOT NULL,
    "emailHash" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CreatorSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Store_platform_domain_key" ON "Store"("platform", "domain");

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_prefix_key" ON "ApiKey"("prefix");

-- CreateIndex
CREATE INDEX "ApiKey_storeId_idx" ON "ApiKey"("storeId");

-- CreateIndex
CREATE INDEX "Campaign_storeId_idx" ON "Campaign"("storeId");

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_storeId_name_key" ON "Campaign"("storeId", "name");

-- CreateIndex
CREATE INDEX "Creator_storeId_idx" ON "Creator"("storeId");

-- CreateIndex
CREATE UNIQUE INDEX "DiscountCode_storeId_code_key" ON "DiscountCode"("storeId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "TrackingLink_code_key" ON "TrackingLink"("code");

-- CreateIndex
CREATE INDEX "TrackingLink_storeId_idx" ON "TrackingLink"("storeId");

-- CreateIndex
CREATE UNIQUE INDEX "TrackingLink_campaignId_creatorId_key" ON "TrackingLink"("campaignId", "creatorId");

-- CreateIndex
CREATE INDEX "Click_storeId_occurredAt_idx" ON "Click"("storeId", "occurredAt");

-- CreateIndex
CREATE INDEX "Click_campaignId_occurredAt_idx" ON "Click"("campaignId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "Visitor_storeId_externalId_key" ON "Visitor"("storeId", "externalId");

-- CreateIndex
CREATE INDEX "Event_storeId_checkoutToken_idx" ON "Event"("storeId", "checkoutToken");

-- CreateIndex
CREATE INDEX "Event_storeId_orderRef_idx" ON "Event"("storeId", "orderRef");

-- CreateIndex
CREATE INDEX "Event_storeId_visitorId_idx" ON "Event"("storeId", "visitorId");

-- CreateIndex
CREATE INDEX "Event_storeId_occurredAt_idx" ON "Event"("storeId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "Event_storeId_eventKey_key" ON "Event"("storeId", "eventKey");

-- CreateIndex
CREATE INDEX "Order_storeId_checkoutToken_idx" ON "Order"("storeId", "checkoutToken");

-- CreateIndex
CREATE INDEX "Order_storeId_placedAt_idx" ON "Order"("storeId", "placedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Order_storeId_externalId_key" ON "Order"("storeId", "externalId");

-- CreateIndex
CREATE INDEX "Conversion_storeId_occurredAt_idx" ON "Conversion"("storeId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "Conversion_storeId_sourceKey_key" ON "Conversion"("storeId", "sourceKey");

-- CreateIndex
CREATE INDEX "Attribution_storeId_campaignId_idx" ON "Attribution"("storeId", "campaignId");

-- CreateIndex
CREATE UNIQUE INDEX "Attribution_conversionId_position_key" ON "Attribution"("conversionId", "position");

-- CreateIndex
CREATE INDEX "Commission_storeId_status_idx" ON "Commission"("storeId", "status");

-- CreateIndex
CREATE INDEX "Commission_campaignId_status_idx" ON "Commission"("campaignId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Commission_conversionId_campaignId_creatorId_key" ON "Commission"("conversionId", "campaignId", "creatorId");

-- CreateIndex
CREATE INDEX "CommissionAdjustment_commissionId_idx" ON "CommissionAdjustment"("commissionId");

-- CreateIndex
CREATE INDEX "CommissionAdjustment_storeId_creatorId_idx" ON "CommissionAdjustment"("storeId", "creatorId");

-- CreateIndex
CREATE INDEX "BudgetEntry_campaignId_idx" ON "BudgetEntry"("campaignId");

-- CreateIndex
CREATE INDEX "WebhookInbox_status_nextAttemptAt_idx" ON "WebhookInbox"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookInbox_source_dedupKey_key" ON "WebhookInbox"("source", "dedupKey");

-- CreateIndex
CREATE UNIQUE INDEX "IdempotencyKey_storeId_key_key" ON "IdempotencyKey"("storeId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "CreatorPayoutAccount_storeId_creatorId_key" ON "CreatorPayoutAccount"("storeId", "creatorId");

-- CreateIndex
CREATE INDEX "PayoutRun_storeId_createdAt_idx" ON "PayoutRun"("storeId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PayoutRun_storeId_periodKey_key" ON "PayoutRun"("storeId", "periodKey");

-- CreateIndex
CREATE UNIQUE INDEX "Payout_idempotencyKey_key" ON "Payout"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Payout_storeId_status_idx" ON "Payout"("storeId", "status");

-- CreateIndex
CREATE INDEX "Payout_runId_idx" ON "Payout"("runId");

-- CreateIndex
CREATE INDEX "Payout_storeId_creatorId_idx" ON "Payout"("storeId", "creatorId");

-- CreateIndex
CREATE INDEX "PayoutItem_payoutId_idx" ON "PayoutItem"("payoutId");

-- CreateIndex
CREATE INDEX "PayoutItem_storeId_commissionId_idx" ON "PayoutItem"("storeId", "commissionId");

-- CreateIndex
CREATE UNIQUE INDEX "OwnerAccount_email_key" ON "OwnerAccount"("email");

-- CreateIndex
CREATE INDEX "OwnerAccount_storeId_idx" ON "OwnerAccount"("storeId");

-- CreateIndex
CREATE INDEX "AdminSession_accountId_idx" ON "AdminSession"("accountId");

-- CreateIndex
CREATE INDEX "AdminSession_expiresAt_idx" ON "AdminSession"("expiresAt");

-- CreateIndex
CREATE INDEX "ConversionRollupStale_storeId_day_idx" ON "ConversionRollupStale"("storeId", "day");

-- CreateIndex
CREATE INDEX "SignInToken_accountId_idx" ON "SignInToken"("accountId");

-- CreateIndex
CREATE UNIQUE INDEX "CreatorSignInToken_tokenHash_key" ON "CreatorSignInToken"("tokenHash");

-- CreateIndex
CREATE INDEX "CreatorSignInToken_emailHash_idx" ON "CreatorSignInToken"("emailHash");

-- CreateIndex
CREATE UNIQUE INDEX "CreatorSession_tokenHash_key" ON "CreatorSession"("tokenHash");

-- CreateIndex
CREATE INDEX "CreatorSession_emailHash_idx" ON "CreatorSession"("emailHash");

-- CreateIndex
CREATE INDEX "CreatorSession_expiresAt_idx" ON "CreatorSession"("expiresAt");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Creator" ADD CONSTRAINT "Creator_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrackingLink" ADD CONSTRAINT "TrackingLink_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrackingLink" ADD CONSTRAINT "TrackingLink_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrackingLink" ADD CONSTRAINT "TrackingLink_creatorId_fkey" FOREIGN KEY ("creatorId") REFERENCES "Creator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

