import { vi } from 'vitest';
import { AuthError, type IdentityProvider, NETWORK_ERROR, type Tokens } from '../src/auth/identityProvider';

/** Tokens issued at `issuedAt` (epoch seconds) for an hour, as Cognito's default ID token lives. */
export function tokens(idToken: string, issuedAt: number, overrides: Partial<Tokens> = {}): Tokens {
  return { idToken, username: 'ada', issuedAt, expiresAt: issuedAt + 3600, clockDrift: 0, ...overrides };
}

export const wrongPassword = () => new AuthError('NotAuthorizedException', 'Incorrect username or password.');
export const offline = () => new AuthError(NETWORK_ERROR, 'Failed to fetch');

/** A user pool of one user, ada with password "right", each call a spy the test can re-program. */
export function fakeIdentityProvider(now: () => number = Date.now, lifetimeSeconds = 3600) {
  let issued = 0;
  const fresh = () => {
    const issuedAt = now() / 1000; // to the millisecond, so a short-lived one is renewed when the test expects
    return tokens(`token-${++issued}`, issuedAt, { expiresAt: issuedAt + lifetimeSeconds });
  };
  let kept: Tokens | null = null;
  const provider = {
    restore: vi.fn(async () => kept),
    signIn: vi.fn(async (username: string, password: string) => {
      if (username !== 'ada' || password !== 'right') throw wrongPassword();
      kept = fresh();
      return kept;
    }),
    signUp: vi.fn(async () => ({ confirmed: false })),
    confirmSignUp: vi.fn(async () => {}),
    resendCode: vi.fn(async () => {}),
    refresh: vi.fn(async () => (kept = fresh())),
    signOut: vi.fn(async () => {
      kept = null;
    }),
    forget: vi.fn(() => {
      kept = null;
    }),
    deleteAccount: vi.fn(async () => {
      kept = null;
    }),
  } satisfies IdentityProvider;
  return { provider, keep: (value: Tokens | null) => (kept = value), issuedCount: () => issued };
}
