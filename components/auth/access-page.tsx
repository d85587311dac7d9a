"use client";
import { ErrorBox, Loading } from "../ui/status";
import { IngestKeysSection, TokensSection, UsersSection } from "./access-sections";
import { useSession } from "./use-access";

/**
 * Access management. Admins: users, every API token, ingest keys. Others: their own tokens.
 * With authentication off everyone acts as admin, so only ingest keys apply (tokens belong to
 * users, which exist only with authentication on).
 */
export function AccessPage() {
  const s = useSession();
  if (s.isLoading) return <Loading what="access" />;
  if (s.error || !s.data) return <ErrorBox error={s.error ?? "no session information"} />;
  const { authEnabled, user } = s.data;
  if (!authEnabled) {
    return (
      <div className="stack">
        <p className="muted">
          Authentication is off (CARTOGRAPH_AUTH=off, or auto while bound to loopback): users and API tokens apply once
          it is on.
        </p>
        <IngestKeysSection />
      </div>
    );
  }
  const admin = user?.role === "admin";
  return (
    <div className="stack">
      <p className="muted">
        Signed in as <strong>{user?.name}</strong> ({user?.role}).
      </p>
      <TokensSection canCreate maxRole={user?.role ?? "viewer"} showOwner={admin} />
      {admin && <UsersSection self={user!.name} />}
      {admin && <IngestKeysSection />}
    </div>
  );
}
