-- A campaign's commission base (items after discounts, or the order total), remembered on each commission.
ALTER TABLE "Campaign" ADD COLUMN "commissionBase" TEXT NOT NULL DEFAULT 'items';
ALTER TABLE "Commission" ADD COLUMN "base" TEXT NOT NULL DEFAULT 'items';

-- The order total base beside the items base; orders stored before had only one figure.
ALTER TABLE "Order" ADD COLUMN "orderTotal" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "Order" ADD COLUMN "orderRefunded" BIGINT NOT NULL DEFAULT 0;
UPDATE "Order" SET "orderTotal" = "total", "orderRefunded" = "refunded";

-- A payout failed without the provider's word for its key (the old give-up after repeated errors) is
-- retried under the same key.
ALTER TABLE "Payout" ADD COLUMN "failureConfirmed" BOOLEAN NOT NULL DEFAULT true;
UPDATE "Payout" SET "failureConfirmed" = false WHERE "status" = 'failed' AND "failureReason" LIKE 'not sent: the provider failed%';
