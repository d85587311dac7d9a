/** The coupling endpoints' answers as the UI reads them, inferred from the contract (lib/contract/coupling.ts). */
import type { contract, ResponseOf } from "@/lib/contract";
import { COUPLING_RULE_IDS } from "@/lib/enums";

export type { Finding, PolicyError, ServiceCouplingMetrics, Severity } from "@/lib/contract";
export type ViolationsResponse = ResponseOf<typeof contract.getViolations>;
export type PolicyResponse = ResponseOf<typeof contract.getPolicy>;

/** Every coupling rule id, in the contract's order (the findings view's rule filter). */
export const RULES = COUPLING_RULE_IDS;
