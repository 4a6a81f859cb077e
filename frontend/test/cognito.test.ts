// The Cognito adapter's requests, as the user pool receives them: to `cognitoEndpoint` when there is
// one (the local emulator), else to AWS's regional endpoint; the service's refusals by their names.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { cognitoProvider } from '../src/auth/cognito';
import { NETWORK_ERROR } from '../src/auth/identityProvider';
import type { AuthConfig } from '../src/config';

const CONFIG: AuthConfig = { mode: 'optional', userPoolId: 'eu-west-1_Pool1', userPoolClientId: 'client-1', cognitoEndpoint: null };
let fetchCalls: { url: string; target: string; body: Record<string, unknown> }[];

function answer(status: number, body: object): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      fetchCalls.push({ url, target: headers['X-Amz-Target']!, body: JSON.parse(init.body as string) });
      return new Response(JSON.stringify(body), { status });
    }),
  );
}

beforeEach(() => {
  fetchCalls = [];
  return () => vi.unstubAllGlobals();
});

describe('the Cognito adapter', () => {
  it("signs up at AWS's endpoint of the pool's region, with the e-mail as an attribute", async () => {
    answer(200, { UserConfirmed: false, UserSub: 'sub-1' });
    await expect(cognitoProvider(CONFIG).signUp('ada', 'ada@example.com', 'pw')).resolves.toEqual({ confirmed: false });
    expect(fetchCalls).toEqual([
      {
        url: 'https://cognito-idp.eu-west-1.amazonaws.com/',
        target: 'AWSCognitoIdentityProviderService.SignUp',
        body: expect.objectContaining({
          ClientId: 'client-1',
          Username: 'ada',
          Password: 'pw',
          UserAttributes: [{ Name: 'email', Value: 'ada@example.com' }],
        }),
      },
    ]);
  });

  it('talks to cognitoEndpoint when config.json names one (the local emulator)', async () => {
    answer(200, {});
    await cognitoProvider({ ...CONFIG, cognitoEndpoint: 'http://127.0.0.1:4566/' }).resendCode('ada');
    expect(fetchCalls.map(({ url, target }) => [url, target])).toEqual([
      ['http://127.0.0.1:4566/', 'AWSCognitoIdentityProviderService.ResendConfirmationCode'],
    ]);
  });

  it('starts a sign-in with USER_SRP_AUTH: an SRP_A, never the password', async () => {
    answer(400, { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    await expect(cognitoProvider(CONFIG).signIn('ada', 'secret-password')).rejects.toMatchObject({
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(fetchCalls).toHaveLength(1);
    const { target, body } = fetchCalls[0]!;
    expect(target).toBe('AWSCognitoIdentityProviderService.InitiateAuth');
    expect(body).toMatchObject({ AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ada', SRP_A: expect.stringMatching(/^[0-9a-f]+$/) } });
    expect(JSON.stringify(body)).not.toContain('secret-password');
  });

  it('names a service out of reach as such', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(cognitoProvider(CONFIG).confirmSignUp('ada', '123456')).rejects.toMatchObject({ code: NETWORK_ERROR });
  });

  it('has no session to restore in a fresh browser, and asks nothing for it', async () => {
    answer(200, {});
    await expect(cognitoProvider(CONFIG).restore()).resolves.toBeNull();
    expect(fetchCalls).toHaveLength(0);
  });

  it("forgets this browser's session without asking the service (signed out by the chat)", async () => {
    answer(200, {});
    const prefix = `CognitoIdentityServiceProvider.${CONFIG.userPoolClientId}`;
    localStorage.setItem(`${prefix}.LastAuthUser`, 'ada');
    for (const token of ['idToken', 'accessToken', 'refreshToken']) localStorage.setItem(`${prefix}.ada.${token}`, 'kept');
    const provider = cognitoProvider(CONFIG);
    provider.forget();
    expect(Object.keys(localStorage).filter((key) => key.startsWith(prefix))).toEqual([]);
    await expect(provider.restore()).resolves.toBeNull();
    expect(fetchCalls).toHaveLength(0);
  });
});
