// What the page needs from a sign-in service, free of any library: src/auth/cognito.ts implements it
// with Amazon Cognito, the tests with a fake.

/** The signed-in user's current ID token, as the page hands it to `$connect`. */
export interface Tokens {
  idToken: string;
  /** The name the user signed in with (`cognito:username`); the chat's handle may differ. */
  username: string;
  /** The ID token's `iat` and `exp`, epoch seconds (the service's clock). */
  issuedAt: number;
  expiresAt: number;
  /** This browser's clock minus the service's, in seconds (when the token was received). */
  clockDrift: number;
}

export interface IdentityProvider {
  /** The session kept from an earlier visit (renewed if its tokens expired), or `null`. */
  restore(): Promise<Tokens | null>;
  signIn(username: string, password: string): Promise<Tokens>;
  /** `confirmed` false: a code was sent (by e-mail) and `confirmSignUp` must follow. */
  signUp(username: string, email: string, password: string): Promise<{ confirmed: boolean }>;
  confirmSignUp(username: string, code: string): Promise<void>;
  resendCode(username: string): Promise<void>;
  /** New tokens from the refresh token; fails with `NotAuthorizedException` once the session is revoked. */
  refresh(): Promise<Tokens>;
  /** Signs out everywhere (every device's refresh token revoked); the local session is gone even if that fails. */
  signOut(): Promise<void>;
  /** Forgets the session in this browser only, with no call to the service. */
  forget(): void;
  deleteAccount(): Promise<void>;
}

/** A refusal from the sign-in service: `code` is its exception name (`NotAuthorizedException`…). */
export class AuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** The service could not be reached: try again later, the session (if any) still holds. */
export const NETWORK_ERROR = 'NetworkError';

/** Plain words for the service's refusals; unknown ones show the service's own message. */
export function authErrorText(error: unknown): string {
  const code = error instanceof AuthError ? error.code : '';
  switch (code) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      return 'Wrong username or password.';
    case 'UsernameExistsException':
      return 'That username is taken. Choose another one.';
    case 'CodeMismatchException':
      return 'That code is not right. Check the e-mail and try again.';
    case 'ExpiredCodeException':
      return 'That code has expired. Send a new one.';
    case 'LimitExceededException':
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return 'Too many tries. Wait a few minutes and try again.';
    case NETWORK_ERROR:
      return 'The sign-in service could not be reached. Check the connection and try again.';
    default:
      return error instanceof Error && error.message ? error.message : 'Something went wrong. Please try again.';
  }
}
