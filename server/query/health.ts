import "server-only";
import { classifyHealth, HEALTH_THRESHOLDS, type Health } from "../aggregate/servicegraph";

/** Health thresholds live with the service graph (one place for map and lists). */
export { HEALTH_THRESHOLDS, type Health };

export function rateHealth(requests: number, errors: number): Health {
  return classifyHealth(requests, errors);
}
