-- CreateTable
CREATE TABLE "LeaderLease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "term" INTEGER NOT NULL DEFAULT 1,
    "expiresAt" DATETIME NOT NULL,
    "acquiredAt" DATETIME NOT NULL,
    "renewedAt" DATETIME NOT NULL
);

