-- AlterTable
ALTER TABLE "StorePayoutSettings" ADD COLUMN "payoutDay" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "StorePayoutSettings" ADD COLUMN "holdingDays" INTEGER NOT NULL DEFAULT 30;
