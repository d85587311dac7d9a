import "server-only";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import type { TelemetryReader } from "../store";
import type { AlertingService } from "../alerting";

/**
 * What every API route receives. Stages add their service objects here (alerting,
 * coupling policy, ...) when main.ts wires them; routes never reach for globals.
 */
export interface ApiContext {
  config: Config;
  log: Logger;
  now: () => number;
  telemetry: TelemetryReader;
  /** Set by main.ts from startAlerting(); alerting routes answer 503 without it. */
  alerting?: AlertingService;
}
