// IdentityProvider with Amazon Cognito's user pool, through amazon-cognito-identity-js: USER_SRP_AUTH,
// so the password never leaves the browser. The library keeps the session in localStorage, so a
// reload stays signed in. `cognitoEndpoint` points it at the local emulator instead of AWS.
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import type { AuthConfig } from '../config';
import { AuthError, type IdentityProvider, NETWORK_ERROR, type Tokens } from './identityProvider';

type Callback<T> = (error: unknown, result?: T) => void;

/** The library answers through callbacks, with errors of shape `{code, message}` (or a failed fetch). */
function call<T>(run: (callback: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    run((error, result) => (error ? reject(asAuthError(error)) : resolve(result as T)));
  });
}

function asAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  const known = typeof code === 'string' ? code : typeof name === 'string' && name !== 'Error' ? name : 'UnknownError';
  // A fetch that never reached the service: the library says NetworkError (a TypeError from fetch).
  return new AuthError(known === 'TypeError' ? NETWORK_ERROR : known, text);
}

function tokensOf(session: CognitoUserSession): Tokens {
  const idToken = session.getIdToken();
  const payload = idToken.decodePayload() as Record<string, unknown>;
  return {
    idToken: idToken.getJwtToken(),
    username: String(payload['cognito:username'] ?? ''),
    issuedAt: idToken.getIssuedAt(),
    expiresAt: idToken.getExpiration(),
    // getClockDrift is the library's (kept with the session in storage), missing from its typings.
    clockDrift: (session as CognitoUserSession & { getClockDrift(): number }).getClockDrift(),
  };
}

export function cognitoProvider(config: AuthConfig): IdentityProvider {
  const pool = new CognitoUserPool({
    UserPoolId: config.userPoolId,
    ClientId: config.userPoolClientId,
    ...(config.cognitoEndpoint !== null ? { endpoint: config.cognitoEndpoint } : {}),
  });
  const userNamed = (username: string) => new CognitoUser({ Username: username, Pool: pool });

  /** The signed-in user with a valid session (the library renews expired tokens here), or an error. */
  async function current(): Promise<{ user: CognitoUser; session: CognitoUserSession }> {
    const user = pool.getCurrentUser();
    if (user === null) throw new AuthError('NotAuthorizedException', 'Not signed in.');
    const session = await call<CognitoUserSession>((done) => user.getSession(done));
    return { user, session };
  }

  return {
    async restore() {
      if (pool.getCurrentUser() === null) return null;
      try {
        return tokensOf((await current()).session);
      } catch (error) {
        if (asAuthError(error).code === NETWORK_ERROR) throw error;
        return null; // revoked or expired: signed out
      }
    },

    async signIn(username, password) {
      const user = userNamed(username);
      const details = new AuthenticationDetails({ Username: username, Password: password });
      const session = await new Promise<CognitoUserSession>((resolve, reject) => {
        const refuse = (code: string, message: string) => () => reject(new AuthError(code, message));
        user.authenticateUser(details, {
          onSuccess: resolve,
          onFailure: (error) => reject(asAuthError(error)),
          newPasswordRequired: refuse('NewPasswordRequired', 'This account must set a new password first: ask whoever created it.'),
          mfaRequired: refuse('MfaRequired', 'This account uses multi-factor sign-in, which this page does not offer yet.'),
          totpRequired: refuse('MfaRequired', 'This account uses multi-factor sign-in, which this page does not offer yet.'),
        });
      });
      return tokensOf(session);
    },

    async signUp(username, email, password) {
      const attributes = [new CognitoUserAttribute({ Name: 'email', Value: email })];
      const result = await call<{ userConfirmed: boolean }>((done) => pool.signUp(username, password, attributes, [], done));
      return { confirmed: result.userConfirmed };
    },

    async confirmSignUp(username, code) {
      await call((done) => userNamed(username).confirmRegistration(code, true, done));
    },

    async resendCode(username) {
      await call((done) => userNamed(username).resendConfirmationCode(done));
    },

    async refresh() {
      const { user, session } = await current();
      return tokensOf(await call<CognitoUserSession>((done) => user.refreshSession(session.getRefreshToken(), done)));
    },

    async signOut() {
      const user = pool.getCurrentUser();
      if (user === null) return;
      try {
        await current(); // GlobalSignOut takes a valid access token
        await new Promise<void>((resolve, reject) =>
          user.globalSignOut({ onSuccess: () => resolve(), onFailure: (error) => reject(asAuthError(error)) }),
        );
      } finally {
        user.signOut(); // this browser forgets the session whatever the service answered
      }
    },

    forget() {
      pool.getCurrentUser()?.signOut(); // without a callback the library only clears its storage
    },

    async deleteAccount() {
      const { user } = await current();
      await call((done) => user.deleteUser(done));
    },
  };
}
