import "server-only";
import type { AlertDataSource } from "../alerting";
import type { Answer } from "./router";

/** Messages between the main thread and a query thread. */
export interface AlertCall {
  method: keyof AlertDataSource;
  args: unknown[];
}

export type ToQueryThread =
  | { id: number; kind: "http"; pathAndQuery: string; traceparent?: string; sentAtMs?: number }
  | { id: number; kind: "alert"; call: AlertCall };

export type FromQueryThread =
  { ready: true } | { id: number; answer: Answer } | { id: number; value: unknown } | { id: number; error: string };
