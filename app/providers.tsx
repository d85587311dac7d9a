"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { RefreshProvider } from "@/components/ui/refresh-context";

/** Client-side providers: one QueryClient per browser tab, and the auto-refresh state. */
export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: 1 },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <RefreshProvider>{children}</RefreshProvider>
    </QueryClientProvider>
  );
}
