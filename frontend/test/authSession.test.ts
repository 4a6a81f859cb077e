// The sign-in session: the ID token is renewed at 80% of its life, a revoked session signs the page
// out, a service out of reach is tried again, and signing out happens even when the service is away.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthSession, REFRESH_RETRY_MS, SESSION_ENDED_TEXT, SIGNED_OUT_TEXT, refreshDelayMs } from '../src/auth/authSession';
import { fakeIdentityProvider, offline, tokens, wrongPassword } from './fakeIdentityProvider';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const NOW_S = NOW / 1000;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('refreshDelayMs', () => {
  it("is 80% of the token's life from when it was issued", () => {
    expect(refreshDelayMs(tokens('t', NOW_S), NOW)).toBe(48 * 60_000);
    expect(refreshDelayMs(tokens('t', NOW_S - 600), NOW)).toBe(38 * 60_000); // restored 10 minutes on
  });

  it("counts on this browser's clock, however far it is from the service's", () => {
    // This browser runs 5 minutes ahead: the token was issued at NOW_S - 300 by the service's clock.
    expect(refreshDelayMs(tokens('t', NOW_S - 300, { clockDrift: 300 }), NOW)).toBe(48 * 60_000);
  });

  it('is now for a token past that point, or expired', () => {
    expect(refreshDelayMs(tokens('t', NOW_S - 3000), NOW)).toBe(0);
    expect(refreshDelayMs(tokens('t', NOW_S - 7200), NOW)).toBe(0);
  });
});

function startedSession() {
  const fake = fakeIdentityProvider();
  const session = new AuthSession(fake.provider);
  return { ...fake, session };
}

describe('an AuthSession', () => {
  it('restores the kept session, or is signed out', async () => {
    const { session, keep } = startedSession();
    await session.start();
    expect(session.getState()).toEqual({ status: 'signed-out', notice: null });
    keep(tokens('kept', NOW_S));
    await session.start();
    expect(session.getState()).toEqual({ status: 'signed-in', username: 'ada', idToken: 'kept' });
  });

  it('refuses a wrong password and stays signed out', async () => {
    const { session } = startedSession();
    await session.start();
    await expect(session.signIn('ada', 'wrong')).rejects.toThrow('Incorrect username or password.');
    expect(session.getState().status).toBe('signed-out');
  });

  it("renews the ID token at 80% of its life and publishes the new one, again and again", async () => {
    const { session, provider } = startedSession();
    await session.start();
    await session.signIn('ada', 'right');
    const seen: string[] = [];
    session.subscribe(() => {
      const state = session.getState();
      if (state.status === 'signed-in') seen.push(state.idToken);
    });

    await vi.advanceTimersByTimeAsync(48 * 60_000 - 1);
    expect(provider.refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual(['token-2']);
    await vi.advanceTimersByTimeAsync(48 * 60_000);
    expect(seen).toEqual(['token-2', 'token-3']);
  });

  it('renews once however many ask at the same time', async () => {
    const { session, provider } = startedSession();
    await session.signIn('ada', 'right');
    await Promise.all([session.refreshNow(), session.refreshNow(), session.refreshNow()]);
    expect(provider.refresh).toHaveBeenCalledOnce();
    expect(session.getState()).toMatchObject({ idToken: 'token-2' });
  });

  it('is signed out, and says so, when the session was revoked (a sign-out elsewhere)', async () => {
    const { session, provider } = startedSession();
    await session.signIn('ada', 'right');
    provider.refresh.mockRejectedValueOnce(wrongPassword());
    await session.refreshNow();
    expect(session.getState()).toEqual({ status: 'signed-out', notice: SESSION_ENDED_TEXT });
  });

  it('tries again shortly when the service is out of reach, signed in meanwhile', async () => {
    const { session, provider } = startedSession();
    await session.signIn('ada', 'right');
    provider.refresh.mockRejectedValueOnce(offline());
    await session.refreshNow();
    expect(session.getState()).toMatchObject({ status: 'signed-in', idToken: 'token-1' });
    await vi.advanceTimersByTimeAsync(REFRESH_RETRY_MS);
    expect(provider.refresh).toHaveBeenCalledTimes(2);
    expect(session.getState()).toMatchObject({ status: 'signed-in', idToken: 'token-2' });
  });

  it('signs out everywhere, and is signed out here even when the service cannot be told', async () => {
    const { session, provider } = startedSession();
    await session.signIn('ada', 'right');
    await session.signOut();
    expect(provider.signOut).toHaveBeenCalledOnce();
    expect(session.getState()).toEqual({ status: 'signed-out', notice: null });

    await session.signIn('ada', 'right');
    provider.signOut.mockRejectedValueOnce(offline());
    await session.signOut();
    expect(session.getState()).toMatchObject({ status: 'signed-out', notice: expect.stringMatching(/Other devices/) });
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(provider.refresh).not.toHaveBeenCalled(); // no renewal after signing out
  });

  it('signs out of the chat first, and of the service only once the chat has settled', async () => {
    const { session, provider } = startedSession();
    await session.signIn('ada', 'right');
    let chatSettles = () => {};
    const signOutOfChat = vi.fn(() => new Promise<void>((resolve) => (chatSettles = resolve)));
    const signingOut = session.signOut(signOutOfChat);
    await vi.advanceTimersByTimeAsync(0);
    expect(signOutOfChat).toHaveBeenCalledOnce();
    expect(provider.signOut).not.toHaveBeenCalled();
    expect(session.getState().status).toBe('signed-in');

    chatSettles();
    await signingOut;
    expect(provider.signOut).toHaveBeenCalledOnce();
    expect(session.getState()).toEqual({ status: 'signed-out', notice: null });
  });

  it('signs out of the service even when the chat could not be told', async () => {
    const { session, provider } = startedSession();
    await session.signIn('ada', 'right');
    await session.signOut(() => Promise.reject(new Error('the socket broke')));
    expect(provider.signOut).toHaveBeenCalledOnce();
    expect(session.getState()).toEqual({ status: 'signed-out', notice: null });
  });

  it('forgets the session here, says so and renews nothing, when the chat signed the user out', async () => {
    const { session, provider } = startedSession();
    await session.signIn('ada', 'right');
    session.signedOutElsewhere();
    expect(provider.forget).toHaveBeenCalledOnce();
    expect(provider.signOut).not.toHaveBeenCalled(); // her tokens are refused already
    expect(session.getState()).toEqual({ status: 'signed-out', notice: SIGNED_OUT_TEXT });
    expect(await provider.restore()).toBeNull(); // a reload is signed out too
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(provider.refresh).not.toHaveBeenCalled();

    session.signedOutElsewhere(); // a late frame from another connection changes nothing
    expect(provider.forget).toHaveBeenCalledOnce();
  });

  it('stays signed in when the account could not be deleted', async () => {
    const { session, provider } = startedSession();
    await session.signIn('ada', 'right');
    provider.deleteAccount.mockRejectedValueOnce(offline());
    await expect(session.deleteAccount()).rejects.toThrow();
    expect(session.getState().status).toBe('signed-in');
    await session.deleteAccount();
    expect(session.getState()).toEqual({ status: 'signed-out', notice: 'Your account has been deleted.' });
  });
});
