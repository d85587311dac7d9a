"use client";
import { useSyncExternalStore } from "react";

const subscribeNever = () => () => {};

/**
 * False while React hydrates server HTML (and on the server), true from the render right after
 * (React re-renders once when the two snapshots differ) and in anything mounted later. Values
 * the server cannot know (the query cache, the browser's time zone, the clock) are rendered only
 * when this is true, so the first client render is the server's HTML, byte for byte.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeNever,
    () => true,
    () => false,
  );
}
