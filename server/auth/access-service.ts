import "server-only";
import { hostname } from "node:os";
import type { ControlDb } from "../store";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import * as tokens from "./api-tokens";
import { AccessError } from "./errors";
import * as ingest from "./ingest-keys";
import { BucketMap } from "./rate-limit";
import { resolveAuthEnabled } from "./request-guard";
import type { Principal, Role } from "./roles";
import { createSecret, hashSecret } from "./secrets";
import * as users from "./users";

/**
 * The access control plane of one process: who is calling (session cookie or API token),
 * users, tokens, ingest keys, the first admin. Routes call it; decisions about a single
 * request live in request-guard.ts and roles.ts.
 */
export interface Credentials {
  cookie?: string;
  authorization?: string;
}

export interface Caller {
  principal: Principal | null;
  /** The request carried the session cookie (a browser credential: mutations need an Origin). */
  browserCredential: boolean;
}

export interface LoginResult {
  user: users.UserView;
  setCookie: string;
}

const SETUP_LIFETIME_MS = 60 * 60_000;
/** Failed sign-ins allowed per user name and per client address before one per 10 s. */
const FAILED_LOGINS = { user: 10, addr: 30, rate: 0.1 };

export class AccessService {
  readonly authEnabled: boolean;
  readonly ingestKeysRequired: boolean;
  readonly ingestKeys: ingest.IngestKeyChecker;
  private readonly cookieName: string;
  private readonly secureCookie: boolean;
  private readonly loginBuckets = new BucketMap();

  constructor(
    private readonly db: ControlDb,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.authEnabled = resolveAuthEnabled(config.CARTOGRAPH_AUTH, config.CARTOGRAPH_HOST);
    this.ingestKeysRequired = config.CARTOGRAPH_INGEST_AUTH === "keys";
    this.ingestKeys = new ingest.IngestKeyChecker(db);
    this.secureCookie = new URL(config.CARTOGRAPH_PUBLIC_URL).protocol === "https:";
    // `__Host-` binds the cookie to this exact origin; browsers accept it only with Secure.
    this.cookieName = this.secureCookie ? "__Host-cartograph_session" : "cartograph_session";
  }

  /**
   * At start: seeds `admin` from CARTOGRAPH_ADMIN_PASSWORD, or, with authentication on and no
   * user at all, prints a one-time setup link (valid one hour; replaced at the next start).
   */
  async bootstrap(): Promise<void> {
    const pw = this.config.CARTOGRAPH_ADMIN_PASSWORD;
    if (pw && !(await this.db.user.findUnique({ where: { name: "admin" } }))) {
      await users.createUser(this.db, "admin", "admin", pw);
      this.log.info("created user admin (role admin) from CARTOGRAPH_ADMIN_PASSWORD");
    }
    if (!this.authEnabled || (await users.countUsers(this.db)) > 0) return;
    const secret = createSecret("setup");
    const expiresAt = new Date(this.now() + SETUP_LIFETIME_MS);
    await this.db.$transaction([
      this.db.setupToken.deleteMany({}),
      this.db.setupToken.create({ data: { id: hashSecret(secret), expiresAt } }),
    ]);
    const url = new URL("/setup", this.config.CARTOGRAPH_PUBLIC_URL);
    // Bound to every interface, the link is also shown under this machine's name for a browser elsewhere.
    const wildcard = ["0.0.0.0", "::", "[::]"].includes(this.config.CARTOGRAPH_HOST);
    const remote =
      wildcard && url.hostname === "localhost" ? Object.assign(new URL(url), { hostname: hostname() }) : null;
    const elsewhere = remote ? ` (from another machine: ${remote.href}#token=${secret})` : "";
    this.log.warn(
      `no user exists yet: open ${url.href}#token=${secret}${elsewhere} to create the first admin (one use, expires ${expiresAt.toISOString()}; set CARTOGRAPH_PUBLIC_URL if this address is wrong)`,
    );
  }

  async identify(c: Credentials): Promise<Caller> {
    const now = this.now();
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.authorization ?? "")?.[1];
    if (bearer) return { principal: await tokens.findTokenPrincipal(this.db, bearer, now), browserCredential: false };
    const session = this.readCookie(c.cookie);
    if (session) return { principal: await users.findSessionPrincipal(this.db, session, now), browserCredential: true };
    return { principal: null, browserCredential: false };
  }

  async login(name: string, password: string, clientAddress: string): Promise<LoginResult> {
    const now = this.now();
    const keys = [
      [`user:${name}`, FAILED_LOGINS.user],
      [`addr:${clientAddress}`, FAILED_LOGINS.addr],
    ] as const;
    for (const [key, burst] of keys) {
      const t = this.loginBuckets.peek(key, now, FAILED_LOGINS.rate, burst);
      if (t)
        throw new AccessError(429, "too-many-attempts", `too many failed sign-ins; retry in ${t.retryAfterSeconds} s`, {
          "retry-after": String(t.retryAfterSeconds),
        });
    }
    const user = await users.checkPassword(this.db, name, password);
    if (!user) {
      for (const [key, burst] of keys) this.loginBuckets.take(key, now, FAILED_LOGINS.rate, burst);
      this.log.warn("sign-in refused", { user: name, from: clientAddress });
      throw new AccessError(401, "invalid-credentials", "wrong user name or password");
    }
    return this.startSession(user, now);
  }

  async logout(cookie: string | undefined): Promise<string> {
    const secret = this.readCookie(cookie);
    if (secret) await users.deleteSession(this.db, secret);
    return this.cookie("", 0);
  }

  /** Uses the one-time setup secret: creates the first admin and signs them in. */
  async completeSetup(secret: string, name: string, password: string): Promise<LoginResult> {
    const now = this.now();
    const token = await this.db.setupToken.findUnique({ where: { id: hashSecret(secret) } });
    if (!token || token.expiresAt.getTime() <= now)
      throw new AccessError(
        403,
        "invalid-setup-token",
        "this setup link is unknown, used or expired; restart the server for a new one",
      );
    if ((await users.countUsers(this.db)) > 0)
      throw new AccessError(409, "already-set-up", "a user already exists; sign in instead");
    await this.db.setupToken.deleteMany({});
    const user = await users.createUser(this.db, name, "admin", password);
    this.log.info("first admin created through the setup link", { user: name });
    return this.startSession(
      { id: user.id, name: user.name, role: user.role, createdAt: new Date(user.createdAt) },
      now,
    );
  }

  async setupPending(): Promise<boolean> {
    return this.authEnabled && (await users.countUsers(this.db)) === 0;
  }

  listUsers = () => users.listUsers(this.db);
  createUser = (name: string, role: Role, password: string) => users.createUser(this.db, name, role, password);
  updateUser = (name: string, change: { role?: Role; password?: string }) => users.updateUser(this.db, name, change);
  deleteUser = (name: string) => users.deleteUser(this.db, name);

  listTokens = (who: Principal) => tokens.listTokens(this.db, who);
  createToken = (who: Principal, input: { name: string; role?: Role; expiresInDays?: number }) =>
    tokens.createToken(this.db, who, input, this.now());
  revokeToken = (who: Principal, id: string) => tokens.revokeToken(this.db, who, id);

  listIngestKeys = () => ingest.listIngestKeys(this.db);
  async createIngestKey(input: { name: string; requestsPerSecond?: number }, who: Principal) {
    const k = await ingest.createIngestKey(this.db, {
      name: input.name,
      requestsPerSecond: input.requestsPerSecond ?? this.config.CARTOGRAPH_INGEST_KEY_RATE,
      createdBy: who.name,
    });
    this.ingestKeys.invalidate();
    return k;
  }
  async revokeIngestKey(id: string): Promise<void> {
    await ingest.revokeIngestKey(this.db, id);
    this.ingestKeys.invalidate();
  }

  /** For OTLP/Zipkin receivers: passes everything when ingest keys are off. */
  async checkIngest(key: string | undefined): Promise<ingest.IngestVerdict> {
    if (!this.ingestKeysRequired) return { ok: true };
    return this.ingestKeys.check(key, this.now());
  }

  private async startSession(
    user: { id: string; name: string; role: string; createdAt: Date },
    now: number,
  ): Promise<LoginResult> {
    const lifetimeMs = this.config.CARTOGRAPH_SESSION_HOURS * 3600_000;
    const s = await users.createSession(this.db, user.id, now, lifetimeMs);
    return { user: users.toUserView(user), setCookie: this.cookie(s.secret, Math.floor(lifetimeMs / 1000)) };
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    return `${this.cookieName}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${this.secureCookie ? "; Secure" : ""}`;
  }

  private readCookie(header: string | undefined): string | null {
    if (!header) return null;
    for (const part of header.split(";")) {
      const eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq).trim() === this.cookieName) return part.slice(eq + 1).trim() || null;
    }
    return null;
  }
}
