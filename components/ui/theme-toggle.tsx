"use client";
import { useEffect, useState } from "react";

type Theme = "light" | "dark";

/** Dark/light switch. public/theme-init.js applies the stored choice before first paint. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme | null>(null);
  useEffect(() => {
    setTheme((document.documentElement.dataset.theme as Theme) ?? "dark");
  }, []);
  function toggle() {
    const next: Theme = theme === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem("cartograph-theme", next);
    } catch {
      /* storage may be disabled; the choice then lasts for this page only */
    }
    setTheme(next);
  }
  return (
    <button
      type="button"
      className="btn icon"
      onClick={toggle}
      aria-label="Toggle dark/light theme"
      title="Toggle theme"
    >
      {theme === "light" ? "☾" : "☀"}
    </button>
  );
}
