import { NO_ENVIRONMENT } from "./node-id";

/** The URL value that shows every environment (no filter). */
export const ALL_ENVIRONMENTS = "all";

export interface EnvironmentOption {
  /** The URL / API value: an environment, NO_ENVIRONMENT, or ALL_ENVIRONMENTS. */
  value: string;
  label: string;
  requests: number;
}

/** One option per environment seen (services without one grouped as NO_ENVIRONMENT), busiest first. */
export function listEnvironments(
  services: ReadonlyArray<{ environment?: string | null; requests: number }>,
): EnvironmentOption[] {
  const by = new Map<string, number>();
  for (const s of services) {
    const key = s.environment || NO_ENVIRONMENT;
    by.set(key, (by.get(key) ?? 0) + s.requests);
  }
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([value, requests]) => ({ value, label: value === NO_ENVIRONMENT ? "No environment" : value, requests }));
}

/**
 * The environment a view opens on when the URL names none: the one with the most traffic
 * when there are several (mixing them would blend production's numbers with staging's),
 * else every environment (one group needs no filter).
 */
export function chooseDefaultEnvironment(
  services: ReadonlyArray<{ environment?: string | null; requests: number }>,
): string {
  const options = listEnvironments(services);
  return options.length > 1 ? options[0]!.value : ALL_ENVIRONMENTS;
}

/** The API's `environment` parameter for a choice (undefined: all environments). */
export function environmentParam(choice: string): string | undefined {
  return choice === "" || choice === ALL_ENVIRONMENTS ? undefined : choice;
}

/** Whether a service (or alert label) in `environment` belongs to the chosen view. */
export function inEnvironment(environment: string | null | undefined, choice: string): boolean {
  const wanted = environmentParam(choice);
  if (wanted === undefined) return true;
  return wanted === NO_ENVIRONMENT ? !environment : environment === wanted;
}
