"use client";
import { CopyButton } from "../ui/copy-button";

/** A new secret, shown this one time (the server keeps only its hash). */
export function SecretOnce({ what, secret, hint }: { what: string; secret: string; hint?: string }) {
  return (
    <div className="secret-once" role="status" data-testid="secret-once">
      <strong>Copy the new {what} now: it will not be shown again.</strong>
      <code>{secret}</code>
      <span>
        <CopyButton text={secret} />
      </span>
      {hint && <span className="muted">{hint}</span>}
    </div>
  );
}
