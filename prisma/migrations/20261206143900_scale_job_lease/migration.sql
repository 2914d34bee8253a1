-- CreateTable
CREATE TABLE "JobLease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "dueAt" DATETIME NOT NULL,
    "leaseUntil" DATETIME,
    "owner" TEXT,
    "lastRunAt" DATETIME,
    "runs" INTEGER NOT NULL DEFAULT 0
);
