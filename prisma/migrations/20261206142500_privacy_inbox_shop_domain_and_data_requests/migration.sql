-- AlterTable
ALTER TABLE "WebhookInbox" ADD COLUMN "shopDomain" TEXT;

-- Deliveries already held keep the shop that sent them (the receipt stored its headers).
UPDATE "WebhookInbox" SET "shopDomain" = lower(json_extract("headers", '$."x-shopify-shop-domain"'))
WHERE "source" = 'shopify' AND json_valid("headers");

-- CreateTable
CREATE TABLE "DataRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "storeId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "emailHash" TEXT,
    "customerRef" TEXT,
    "orderExternalIds" TEXT NOT NULL DEFAULT '[]',
    "receivedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "WebhookInbox_shopDomain_idx" ON "WebhookInbox"("shopDomain");

-- CreateIndex
CREATE UNIQUE INDEX "DataRequest_storeId_requestId_key" ON "DataRequest"("storeId", "requestId");
