// The same build serves local, dev and prod: the WebSocket URL and the sign-in settings come from
// /config.json next to the page.
export type AuthMode = 'off' | 'optional' | 'required';

/** Sign-in with the deployment's Cognito user pool; absent when `authMode` is `off` (or not given). */
export interface AuthConfig {
  mode: 'optional' | 'required';
  userPoolId: string;
  userPoolClientId: string;
  /** Cognito's endpoint when it is not AWS's (the local emulator); `null` on AWS. */
  cognitoEndpoint: string | null;
}

export interface ChatConfig {
  websocketUrl: string;
  auth: AuthConfig | null;
}

type ConfigBody = Record<string, unknown> | null;

export async function loadConfig(): Promise<ChatConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const body = (await response.json()) as ConfigBody;
  const websocketUrl = body?.websocketUrl;
  if (typeof websocketUrl !== 'string' || !/^wss?:\/\//.test(websocketUrl)) {
    throw new Error('/config.json has no websocketUrl starting with ws:// or wss://');
  }
  return { websocketUrl, auth: authConfig(body) };
}

function authConfig(body: ConfigBody): AuthConfig | null {
  const mode = body?.authMode ?? 'off';
  if (mode === 'off') return null;
  if (mode !== 'optional' && mode !== 'required') throw new Error(`/config.json has an unknown authMode: ${String(mode)}`);
  const { userPoolId, userPoolClientId, cognitoEndpoint } = body ?? {};
  if (typeof userPoolId !== 'string' || !userPoolId || typeof userPoolClientId !== 'string' || !userPoolClientId) {
    throw new Error(`/config.json has authMode ${mode} but no userPoolId and userPoolClientId`);
  }
  const endpoint = typeof cognitoEndpoint === 'string' && cognitoEndpoint !== '' ? cognitoEndpoint : null;
  return { mode, userPoolId, userPoolClientId, cognitoEndpoint: endpoint };
}
