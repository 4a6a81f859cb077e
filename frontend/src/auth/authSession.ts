// The page's sign-in state, free of any UI framework: restores the kept session, signs in and out,
// and renews the ID token before it expires, publishing each new token (the chat reconnects with it).
import { AuthError, type IdentityProvider, NETWORK_ERROR, type Tokens, authErrorText } from './identityProvider';

export type AuthState =
  | { status: 'restoring' }
  /** `notice`: why the page is signed out, when it did not ask to be (a session ended, an account deleted). */
  | { status: 'signed-out'; notice: string | null }
  | { status: 'signed-in'; username: string; idToken: string };

/** The ID token is renewed when this share of its life has passed (48 of Cognito's default 60 minutes). */
export const REFRESH_AT_FRACTION = 0.8;
/** A renewal that could not reach the service is tried again after this long (the token may still hold). */
export const REFRESH_RETRY_MS = 10_000;

export const SESSION_ENDED_TEXT = 'Your session has ended. Please sign in again.';
export const SIGNED_OUT_TEXT = 'You were signed out: on another tab or device, or by the chat’s operator.';

/** How long from `nowMs` (this browser's clock) until the token should be renewed; 0 when that is past. */
export function refreshDelayMs(tokens: Tokens, nowMs: number, fraction = REFRESH_AT_FRACTION): number {
  const renewAtServerSeconds = tokens.issuedAt + fraction * (tokens.expiresAt - tokens.issuedAt);
  const renewAtLocalMs = (renewAtServerSeconds + tokens.clockDrift) * 1000;
  return Math.max(0, Math.round(renewAtLocalMs - nowMs));
}

type Timer = ReturnType<typeof setTimeout>;

export class AuthSession {
  private state: AuthState = { status: 'restoring' };
  private readonly listeners = new Set<() => void>();
  private refreshTimer: Timer | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly provider: IdentityProvider,
    private readonly now: () => number = Date.now,
  ) {}

  getState = (): AuthState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The kept session, if any; a service out of reach leaves the page signed out for now. */
  async start(): Promise<void> {
    try {
      const tokens = await this.provider.restore();
      if (tokens) this.signedIn(tokens);
      else this.signedOut(null);
    } catch (error) {
      this.signedOut(authErrorText(error));
    }
  }

  stop(): void {
    this.clearRefreshTimer();
  }

  /** Rejects with an AuthError (its words: `authErrorText`); the state is unchanged then. */
  async signIn(username: string, password: string): Promise<void> {
    this.signedIn(await this.provider.signIn(username, password));
  }

  signUp(username: string, email: string, password: string): Promise<{ confirmed: boolean }> {
    return this.provider.signUp(username, email, password);
  }

  confirmSignUp(username: string, code: string): Promise<void> {
    return this.provider.confirmSignUp(username, code);
  }

  resendCode(username: string): Promise<void> {
    return this.provider.resendCode(username);
  }

  /**
   * Signs out on every device: first `signOutOfChat` (the chat tells and closes every connection
   * of the user and refuses her tokens issued until now, which Cognito keeps valid until they
   * expire; it settles within its own bound), then the service's global sign-out. This page is
   * signed out even when neither can be told.
   */
  async signOut(signOutOfChat: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    let notice: string | null = null;
    try {
      await signOutOfChat();
    } catch {
      // the chat could not be told: the service's sign-out still follows
    }
    try {
      await this.provider.signOut();
    } catch (error) {
      if (error instanceof AuthError && error.code === NETWORK_ERROR) {
        notice = 'Signed out here. Other devices could not be signed out: the sign-in service was out of reach.';
      }
    }
    this.signedOut(notice);
  }

  /**
   * The chat signed this user out (`signed_out`: from another tab or device, or an operator):
   * forget the session here without calling the service, which refuses her tokens anyway.
   */
  signedOutElsewhere(): void {
    if (this.state.status !== 'signed-in') return;
    this.provider.forget();
    this.signedOut(SIGNED_OUT_TEXT);
  }

  /**
   * Rejects (and stays signed in) when the service refuses. Once deleted, `signOutOfChat` (as for
   * a sign-out): the user's sockets in every tab and browser are told and closed at once, rather
   * than left open until the ID token expires.
   */
  async deleteAccount(signOutOfChat: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    await this.provider.deleteAccount();
    try {
      await signOutOfChat();
    } catch {
      // the chat could not be told: its sockets end with the token
    }
    this.signedOut('Your account has been deleted.');
  }

  /**
   * Renews the ID token now (the chat said `token_expired`, or its time came). One renewal at a
   * time; a revoked session signs the page out, a service out of reach is tried again shortly.
   */
  refreshNow(): Promise<void> {
    if (this.state.status !== 'signed-in') return Promise.resolve();
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<void> {
    this.clearRefreshTimer();
    try {
      const tokens = await this.provider.refresh();
      if (this.state.status === 'signed-in') this.signedIn(tokens);
    } catch (error) {
      if (this.state.status !== 'signed-in') return;
      if (error instanceof AuthError && error.code === NETWORK_ERROR) {
        this.refreshTimer = setTimeout(() => void this.refreshNow(), REFRESH_RETRY_MS);
      } else {
        this.signedOut(SESSION_ENDED_TEXT);
      }
    }
  }

  private signedIn(tokens: Tokens): void {
    this.clearRefreshTimer();
    this.refreshTimer = setTimeout(() => void this.refreshNow(), refreshDelayMs(tokens, this.now()));
    this.update({ status: 'signed-in', username: tokens.username, idToken: tokens.idToken });
  }

  private signedOut(notice: string | null): void {
    this.clearRefreshTimer();
    this.update({ status: 'signed-out', notice });
  }

  private clearRefreshTimer(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private update(state: AuthState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
