import "server-only";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import type { TelemetryReader } from "../store";
import type { AlertingService } from "../alerting";
import { createControlPolicyStore, type PolicyStore } from "../coupling";
import type { ControlDb } from "../store";
import type { AccessService } from "../auth";
import type { MapLayoutService } from "../query";

/**
 * What every API route receives. Stages add their service objects here (alerting,
 * coupling policy, ...) when main.ts wires them; routes never reach for globals.
 */
export interface ApiContext {
  config: Config;
  log: Logger;
  now: () => number;
  telemetry: TelemetryReader;
  /** The architecture policy in the control plane (CARTOGRAPH_POLICY_FILE is imported into it). */
  policy: PolicyStore;
  /** Set by main.ts from startAlerting(); alerting routes answer 503 without it. */
  alerting?: AlertingService;
  /** Users, sessions, tokens and ingest keys; the access routes answer 503 without it. */
  access?: AccessService;
  /** Map layouts (main thread only: it owns the layout thread); the layout route answers 503 without it. */
  layout?: MapLayoutService;
}

/** The context of one thread (main or query thread), over that thread's control-plane client. */
export function createApiContext(
  config: Config,
  log: Logger,
  telemetry: TelemetryReader,
  control: ControlDb,
): ApiContext {
  return { config, log, now: () => Date.now(), telemetry, policy: openPolicyStore(config, log, control) };
}

/** The policy store of one thread, logging what happens to CARTOGRAPH_POLICY_FILE. */
export function openPolicyStore(config: Config, log: Logger, control: ControlDb): PolicyStore {
  return createControlPolicyStore(control, config.CARTOGRAPH_POLICY_FILE, {
    onFileImported: (file) => log.info("architecture policy: imported the changed policy file", { file }),
    onFileRejected: (file, errors) =>
      log.warn("architecture policy: the policy file has mistakes and was not imported; the stored policy applies", {
        file,
        errors: errors.slice(0, 5).map((e) => `${e.line !== null ? `line ${e.line}: ` : ""}${e.path}: ${e.message}`),
      }),
  });
}
