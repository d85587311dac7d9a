import "server-only";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import type { TelemetryReader } from "../store";
import type { AlertingService } from "../alerting";
import { createPolicyStore, type PolicyStore } from "../coupling";
import type { AccessService } from "../auth";

/**
 * What every API route receives. Stages add their service objects here (alerting,
 * coupling policy, ...) when main.ts wires them; routes never reach for globals.
 */
export interface ApiContext {
  config: Config;
  log: Logger;
  now: () => number;
  telemetry: TelemetryReader;
  /** The coupling policy file (CARTOGRAPH_POLICY_FILE). */
  policy: PolicyStore;
  /** Set by main.ts from startAlerting(); alerting routes answer 503 without it. */
  alerting?: AlertingService;
  /** Users, sessions, tokens and ingest keys; the access routes answer 503 without it. */
  access?: AccessService;
}

/** The context of one thread (main or query thread): each opens its own policy store. */
export function createApiContext(config: Config, log: Logger, telemetry: TelemetryReader): ApiContext {
  return { config, log, now: () => Date.now(), telemetry, policy: createPolicyStore(config.CARTOGRAPH_POLICY_FILE) };
}
