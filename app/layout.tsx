import type { Metadata } from "next";
import { Suspense, type ReactNode } from "react";
import { Nav } from "@/components/ui/nav";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "Cartograph",
  description: "Service map, RED dashboards, traces, alerts and coupling findings from OpenTelemetry",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" data-theme="dark" suppressHydrationWarning>
      <head>
        {/* Blocking on purpose: sets data-theme before paint. */}
        {/* eslint-disable-next-line @next/next/no-sync-scripts */}
        <script src="/theme-init.js" />
      </head>
      <body>
        <Providers>
          <Suspense fallback={<header className="topbar" />}>
            <Nav />
          </Suspense>
          <main className="page">
            <Suspense fallback={<div className="loading">Loading…</div>}>{children}</Suspense>
          </main>
        </Providers>
      </body>
    </html>
  );
}
