"use client";
import { useEffect, useState } from "react";
import { sendJson } from "@/lib/api-client";

/**
 * First admin from the one-time link the server printed to its log. The secret travels in the
 * URL fragment (#token=...), which browsers never send to a server or put in a Referer.
 */
export function SetupForm() {
  const [token, setToken] = useState("");
  const [username, setUsername] = useState("admin");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setToken(new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "");
  }, []);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (password !== confirm) return setError("the passwords differ");
    setError(null);
    try {
      await sendJson("POST", "auth/setup", { token, username, password });
      window.location.assign("/access");
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="panel auth-form" onSubmit={submit} aria-label="Create the first admin">
      <h1>Create the first admin</h1>
      {!token && <p className="form-error">Open the setup link printed in the server log (it ends with #token=…).</p>}
      <label className="auth-field">
        <span>User name</span>
        <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required />
      </label>
      <label className="auth-field">
        <span>Password (12 characters or more)</span>
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          minLength={12}
          required
        />
      </label>
      <label className="auth-field">
        <span>Repeat the password</span>
        <input
          type="password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          autoComplete="new-password"
          required
        />
      </label>
      <button className="btn primary" type="submit" disabled={!token}>
        Create admin and sign in
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
