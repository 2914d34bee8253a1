-- AlterTable
ALTER TABLE "Event" ADD COLUMN "dropped" TEXT;
