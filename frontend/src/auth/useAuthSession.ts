import { useEffect, useState, useSyncExternalStore } from 'react';
import type { AuthConfig } from '../config';
import { type AuthState, AuthSession } from './authSession';

const RESTORING: AuthState = { status: 'restoring' };
const noSubscription = () => () => {};

/**
 * The page's sign-in session with the deployment's user pool, for the component's lifetime. The
 * Cognito library (about 100 kB) is loaded only here, so a chat without sign-in never downloads it.
 */
export function useAuthSession(config: AuthConfig): { session: AuthSession | null; state: AuthState; failed: boolean } {
  const [session, setSession] = useState<AuthSession | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let current: AuthSession | null = null;
    let unmounted = false;
    import('./cognito').then(
      ({ cognitoProvider }) => {
        if (unmounted) return;
        current = new AuthSession(cognitoProvider(config));
        setSession(current);
        void current.start();
      },
      () => !unmounted && setFailed(true),
    );
    return () => {
      unmounted = true;
      current?.stop();
    };
  }, [config]);

  const state = useSyncExternalStore(session?.subscribe ?? noSubscription, session?.getState ?? (() => RESTORING));
  return { session, state, failed };
}
