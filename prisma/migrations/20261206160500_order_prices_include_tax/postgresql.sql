-- AlterTable
ALTER TABLE "Order" ADD COLUMN "pricesIncludeTax" BOOLEAN;
