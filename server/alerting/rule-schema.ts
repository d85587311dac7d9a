import "server-only";

/** Rule definitions are part of the API contract (lib/contract); the engine's names for them. */
export {
  ruleDefinitionSchema,
  comparisonSchema,
  redSignalSchema,
  RED_RULE_TYPES,
  type RuleDefinition,
  type RuleInput,
  type RuleType,
  type Comparison,
  type AlertRule,
} from "../../lib/contract";
