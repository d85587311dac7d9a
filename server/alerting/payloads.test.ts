import { describe, expect, it } from "vitest";
import {
  buildAlertmanagerAlerts,
  buildSlackMessage,
  buildWebhookPayload,
  ZERO_TIME,
  type NotificationAlert,
} from "./payloads";

const alert = (status: "firing" | "resolved", service: string): NotificationAlert => ({
  status,
  labels: { alertname: "HighErrorRate", service, severity: "page" },
  annotations: { summary: `errors on ${service}`, service_url: `http://c/services/${service}` },
  startsAt: "2026-08-20T10:00:00.000Z",
  endsAt: status === "firing" ? "2026-08-20T10:04:00.000Z" : "2026-08-20T10:09:00.000Z",
  generatorURL: "http://c/alerts?rule=42",
  fingerprint: "c1a2b3d4e5f60718",
});

describe("notification payloads", () => {
  it("builds the Alertmanager webhook v4 payload with common labels and zero endsAt while firing", () => {
    const p = buildWebhookPayload([alert("firing", "orders"), alert("resolved", "billing")], "ops", "http://c");
    expect(p).toMatchObject({
      version: "4",
      status: "firing",
      receiver: "ops",
      truncatedAlerts: 0,
      externalURL: "http://c",
      groupLabels: { alertname: "HighErrorRate", severity: "page" },
      commonLabels: { alertname: "HighErrorRate", severity: "page" },
      commonAnnotations: {},
    });
    expect(p.groupKey).toBe('{}:{alertname="HighErrorRate", severity="page"}');
    expect(p.alerts.map((a) => a.endsAt)).toEqual([ZERO_TIME, "2026-08-20T10:09:00.000Z"]);
    expect(buildWebhookPayload([alert("resolved", "orders")], "ops", "http://c").status).toBe("resolved");
  });
  it("builds Alertmanager v2 postable alerts and Slack messages", () => {
    expect(buildAlertmanagerAlerts([alert("firing", "orders")])).toEqual([
      {
        labels: alert("firing", "orders").labels,
        annotations: alert("firing", "orders").annotations,
        startsAt: "2026-08-20T10:00:00.000Z",
        endsAt: "2026-08-20T10:04:00.000Z",
        generatorURL: "http://c/alerts?rule=42",
      },
    ]);
    const s = buildSlackMessage([alert("resolved", "orders")], { channel: "#ops" });
    expect(s).toMatchObject({
      channel: "#ops",
      text: "[RESOLVED] HighErrorRate (orders)",
      attachments: [{ color: "good", title_link: "http://c/alerts?rule=42" }],
    });
    expect(s.attachments[0]!.text).toContain("<http://c/services/orders|service>");
  });
});
