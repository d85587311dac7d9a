"use client";
import { useMemo } from "react";
import { useServices } from "../api/use-services";
import { chooseDefaultEnvironment, environmentParam, listEnvironments } from "./choose-environment";
import { useUrlParams } from "./use-url-params";

/**
 * The environment and namespace every view shows, from the URL (`env`, `namespace`); without
 * `env` the busiest environment (see chooseDefaultEnvironment). `ready` is false until the
 * default is known, so views do not fetch all environments first and then their own.
 */
export function useEnvironment() {
  const { get, setParams } = useUrlParams();
  const all = useServices({});
  const raw = get("env");
  const services = useMemo(() => all.data?.services ?? [], [all.data]);
  const options = useMemo(() => listEnvironments(services), [services]);
  const choice = raw || chooseDefaultEnvironment(services);
  const environment = environmentParam(choice);
  const namespace = get("namespace") || undefined;
  const namespaces = useMemo(
    () =>
      [
        ...new Set(
          services
            .filter((s) => environment === undefined || (s.environment || "(none)") === environment)
            .map((s) => s.namespace)
            .filter((n): n is string => !!n),
        ),
      ].sort(),
    [services, environment],
  );
  return {
    choice,
    environment,
    namespace,
    options,
    namespaces,
    ready: raw !== "" || !all.isLoading,
    setEnvironment: (value: string) => setParams({ env: value, namespace: null }, "push"),
    setNamespace: (value: string) => setParams({ namespace: value || null }, "push"),
  };
}
