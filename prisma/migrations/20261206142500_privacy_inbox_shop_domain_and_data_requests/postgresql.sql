-- AlterTable
ALTER TABLE "WebhookInbox" ADD COLUMN "shopDomain" TEXT;

-- Deliveries already held keep the shop that sent them (the receipt stored its headers).
UPDATE "WebhookInbox" SET "shopDomain" = lower("headers"::jsonb ->> 'x-shopify-shop-domain')
WHERE "source" = 'shopify' AND "headers" LIKE '{%';

-- CreateTable
CREATE TABLE "DataRequest" (
    "id" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "emailHash" TEXT,
    "customerRef" TEXT,
    "orderExternalIds" TEXT NOT NULL DEFAULT '[]',
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DataRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookInbox_shopDomain_idx" ON "WebhookInbox"("shopDomain");

-- CreateIndex
CREATE UNIQUE INDEX "DataRequest_storeId_requestId_key" ON "DataRequest"("storeId", "requestId");
