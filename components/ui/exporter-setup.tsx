"use client";
import { useEffect, useState } from "react";
import { CopyButton } from "./copy-button";

/** Empty state: how to point an OpenTelemetry exporter at this Cartograph. */
export function ExporterSetup({ title = "No telemetry yet" }: { title?: string }) {
  const [host, setHost] = useState("<host>");
  const [origin, setOrigin] = useState("");
  useEffect(() => {
    setHost(window.location.hostname || "<host>");
    setOrigin(window.location.origin);
  }, []);
  const env = [
    `OTEL_EXPORTER_OTLP_ENDPOINT=http://${host}:4318`,
    "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
    "OTEL_SERVICE_NAME=my-service",
  ].join("\n");
  return (
    <section className="empty-state" data-testid="exporter-setup">
      <h2>{title}</h2>
      <p>
        Point your services&apos; OpenTelemetry exporters here. Set these environment variables on each service
        (OTLP/gRPC works too, on port 4317), then send some traffic:
      </p>
      <div className="code-block">
        <pre>{env}</pre>
        <CopyButton text={env} />
      </div>
      {origin && (
        <p className="muted">
          Only one port reachable (behind a proxy)? This address accepts OTLP/HTTP too:{" "}
          <code>OTEL_EXPORTER_OTLP_ENDPOINT={origin}</code>
        </p>
      )}
      <p className="muted">
        Set <code>OTEL_SERVICE_NAME</code> to each service&apos;s own name. Add{" "}
        <code>OTEL_RESOURCE_ATTRIBUTES=service.namespace=shop,deployment.environment.name=prod</code> to group services.
      </p>
    </section>
  );
}
