-- CreateTable
CREATE TABLE "ArchitecturePolicy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "yaml" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "fileSha256" TEXT NOT NULL DEFAULT '',
    "updatedBy" TEXT NOT NULL DEFAULT '',
    "updatedAt" DATETIME NOT NULL
);

