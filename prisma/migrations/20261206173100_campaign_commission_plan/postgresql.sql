-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "commissionPlan" TEXT NOT NULL DEFAULT '{}';
