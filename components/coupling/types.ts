/** The coupling endpoints' answers as the UI reads them, inferred from the contract (lib/contract/coupling.ts). */
import { COUPLING_RULE_IDS, type contract, type ResponseOf } from "@/lib/contract";

export type { Finding, PolicyError, ServiceCouplingMetrics, Severity } from "@/lib/contract";
export type ViolationsResponse = ResponseOf<typeof contract.getViolations>;
export type PolicyResponse = ResponseOf<typeof contract.getPolicy>;

/** Every coupling rule id, in the contract's order (the findings view's rule filter). */
export const RULES = COUPLING_RULE_IDS;
