-- The creator portal lists a creator's commissions newest first, per store.
CREATE INDEX "Commission_storeId_creatorId_createdAt_idx" ON "Commission"("storeId", "creatorId", "createdAt");
