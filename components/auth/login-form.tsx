"use client";
import { useState } from "react";
import { useSearchParams } from "next/navigation";
import { sendJson } from "@/lib/api-client";
import { safeNext } from "./use-access";

/** Sign-in form: on success a full navigation to `next`, so every request carries the new cookie. */
export function LoginForm() {
  const params = useSearchParams();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await sendJson("POST", "auth/login", { username, password });
      window.location.assign(safeNext(params.get("next")));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <form className="panel auth-form" onSubmit={submit} aria-label="Sign in">
      <h1>Sign in to Cartograph</h1>
      <label className="auth-field">
        <span>User name</span>
        <input
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          autoFocus
        />
      </label>
      <label className="auth-field">
        <span>Password</span>
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      <button className="btn primary" type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
