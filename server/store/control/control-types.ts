import "server-only";
import type { PrismaClient } from "../../../generated/prisma/client";

/**
 * The control-plane client type. The PostgreSQL client (generated/prisma-pg) is generated from
 * the same models, so it is used through the SQLite client's type.
 */
export type ControlDb = PrismaClient;
export type ControlDbKind = "sqlite" | "postgresql";
