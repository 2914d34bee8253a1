-- CreateTable
CREATE TABLE "JobLease" (
    "name" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "leaseUntil" TIMESTAMP(3),
    "owner" TEXT,
    "lastRunAt" TIMESTAMP(3),
    "runs" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "JobLease_pkey" PRIMARY KEY ("name")
);
