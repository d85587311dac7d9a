"use client";
import { ALL_ENVIRONMENTS } from "./choose-environment";
import { useEnvironment } from "./use-environment";

/** Environment and namespace of every view, kept in the URL; shown once the fleet has several groups. */
export function EnvironmentPicker() {
  const env = useEnvironment();
  if (env.options.length === 0) return null;
  return (
    <div className="env-picker" data-testid="environment-picker">
      <label>
        <span className="sr-only">Environment</span>
        <select aria-label="Environment" value={env.choice} onChange={(e) => env.setEnvironment(e.target.value)}>
          <option value={ALL_ENVIRONMENTS}>All environments</option>
          {env.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      {env.namespaces.length > 1 && (
        <label>
          <span className="sr-only">Namespace</span>
          <select aria-label="Namespace" value={env.namespace ?? ""} onChange={(e) => env.setNamespace(e.target.value)}>
            <option value="">All namespaces</option>
            {env.namespaces.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
