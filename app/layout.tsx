import type { Metadata } from "next";
import { connection } from "next/server";
import { Suspense, type ReactNode } from "react";
import { Nav } from "@/components/ui/nav";
import { Providers } from "./providers";
import "./globals.css";
import "@/components/auth/auth.css";

export const metadata: Metadata = {
  title: "Cartograph",
  description: "Service map, RED dashboards, traces, alerts and coupling findings from OpenTelemetry",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request: the server's Content-Security-Policy carries a fresh nonce that
  // Next.js puts on its inline scripts, which a page built ahead of time could not carry.
  await connection();
  return (
    <html lang="en" data-theme="dark" suppressHydrationWarning>
      <head>
        {/* Blocking on purpose: sets data-theme before paint. */}
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
