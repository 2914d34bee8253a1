-- AlterTable
ALTER TABLE "Order" ADD COLUMN "lines" TEXT NOT NULL DEFAULT '[]';
