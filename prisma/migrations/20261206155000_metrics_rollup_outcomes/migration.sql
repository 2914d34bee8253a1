-- The Overview counts purchases with the definitions of core/src/metrics: an order refunded in full or
-- cancelled is counted as such, not as a purchase, and "reversed" is original minus current. Rolled-up days
-- were counted the old way: they are dropped and rolled up again on the next Overview.
ALTER TABLE "ConversionRollup" ADD COLUMN "refunds" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "ConversionRollup" ADD COLUMN "firstRefunds" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "ConversionRollup" ADD COLUMN "cancellations" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "ConversionRollup" ADD COLUMN "firstCancellations" INTEGER NOT NULL DEFAULT 0;
DELETE FROM "ConversionRollup";
DELETE FROM "ConversionRollupDay";
DELETE FROM "ConversionRollupStale";
