-- CreateTable
CREATE TABLE "ArchitecturePolicy" (
    "id" TEXT NOT NULL,
    "yaml" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "fileSha256" TEXT NOT NULL DEFAULT '',
    "updatedBy" TEXT NOT NULL DEFAULT '',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ArchitecturePolicy_pkey" PRIMARY KEY ("id")
);

