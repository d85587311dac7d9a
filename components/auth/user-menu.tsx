"use client";
import { sendJson } from "@/lib/api-client";
import { useSession } from "./use-access";

/** Who is signed in, and the sign-out button (nothing when authentication is off). */
export function UserMenu() {
  const s = useSession();
  const user = s.data?.authEnabled ? s.data.user : null;
  if (!user) return null;
  const signOut = async () => {
    await sendJson("POST", "auth/logout").catch(() => undefined);
    window.location.assign("/login");
  };
  return (
    <div className="user-menu">
      <span data-testid="signed-in-user">{user.name}</span>
      <button className="btn small" onClick={signOut}>
        Sign out
      </button>
    </div>
  );
}
