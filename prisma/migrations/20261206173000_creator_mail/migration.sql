-- AlterTable
ALTER TABLE "Store" ADD COLUMN "mailDigestAfter" INTEGER NOT NULL DEFAULT 5;

-- CreateTable
CREATE TABLE "CreatorMail" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "storeId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "data" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "dueAt" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseUntil" DATETIME,
    "lastError" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "CreatorMailSetting" (
    "storeId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "off" TEXT NOT NULL DEFAULT '[]',
    "locale" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("storeId", "creatorId")
);

-- CreateIndex
CREATE UNIQUE INDEX "CreatorMail_storeId_dedupKey_key" ON "CreatorMail"("storeId", "dedupKey");

-- CreateIndex
CREATE INDEX "CreatorMail_status_dueAt_idx" ON "CreatorMail"("status", "dueAt");

-- CreateIndex
CREATE INDEX "CreatorMail_storeId_creatorId_kind_createdAt_idx" ON "CreatorMail"("storeId", "creatorId", "kind", "createdAt");
