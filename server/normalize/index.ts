import "server-only";
export * from "./types";
export { readSemconv, normalizeHost, parseUrlHost, isLoopbackHost, isIpLiteral, type Semconv } from "./semconv";
