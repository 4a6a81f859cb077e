// The page's sign-in, as a user sees it: off (today's page), required (sign in first) and optional
// (guests beside signed-in users), against a fake user pool in place of Cognito.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SIGNED_OUT_TEXT } from '../src/auth/authSession';
import { AuthError } from '../src/auth/identityProvider';
import { SIGN_OUT_TIMEOUT_MS } from '../src/chat/chatClient';
import type { AuthConfig } from '../src/config';
import { App } from '../src/components/App';
import { FakeWebSocket, chatMessage, roomFrame } from './fakeWebSocket';
import { fakeIdentityProvider, offline, tokens } from './fakeIdentityProvider';

let pool: ReturnType<typeof fakeIdentityProvider>;
const cognitoProvider = vi.hoisted(() => vi.fn());
vi.mock('../src/auth/cognito', () => ({ cognitoProvider }));

const NAME_KEY = 'serverless-chat.username';
const WEBSOCKET_URL = 'wss://chat.example/production';

function serveConfig(config: Record<string, unknown>): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ websocketUrl: WEBSOCKET_URL, ...config }), { status: 200 })),
  );
}

function withSignIn(authMode: 'optional' | 'required', cognitoEndpoint = ''): void {
  serveConfig({ authMode, userPoolId: 'us-east-1_Pool1', userPoolClientId: 'client-1', cognitoEndpoint });
}

function openLobby(): void {
  window.history.replaceState(null, '', '/lobby');
  render(<App />);
}

async function signIn(username: string, password: string): Promise<void> {
  await userEvent.type(await screen.findByLabelText('Username'), username);
  await userEvent.type(screen.getByLabelText('Password'), password);
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

async function socketNumber(count: number): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(count), { timeout: 3000 });
  return FakeWebSocket.latest();
}

/** The server admits the connection; a signed-in user is named by the handle the chat gave them. */
function admit(socket: FakeWebSocket, frame: Record<string, unknown> = {}): void {
  act(() => {
    socket.open();
    socket.receive(roomFrame({ username: 'ada', members: ['ada', 'Bob'], ...frame }));
  });
}

/** The chat's answer to a `sign-out` from any of the user's connections: `signed_out`, then the close. */
function signedOut(socket: FakeWebSocket): void {
  act(() => {
    socket.receive({ type: 'signed_out' });
    socket.drop();
  });
}

async function openMenu(): Promise<HTMLElement> {
  await userEvent.click(screen.getByRole('button', { name: 'Menu' }));
  return screen.getByRole('navigation', { name: 'Menu' });
}

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  pool = fakeIdentityProvider();
  cognitoProvider.mockReset();
  cognitoProvider.mockImplementation(() => pool.provider);
  return () => vi.unstubAllGlobals();
});

describe('sign-in off', () => {
  it.each([{}, { authMode: 'off' }])('is the guest chat as it always was with %j: no sign-in, no subprotocol', async (config) => {
    serveConfig(config);
    localStorage.setItem(NAME_KEY, 'Zoë');
    openLobby();
    const socket = await socketNumber(1);
    expect(socket.protocols).toBeUndefined(); // new WebSocket(url), as the seed's page
    admit(socket, { username: 'Zoë', members: ['Zoë'] });
    expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull();
    expect(cognitoProvider).not.toHaveBeenCalled();
  });

  it('refuses a config.json with an unknown mode', async () => {
    serveConfig({ authMode: 'sometimes' });
    localStorage.setItem(NAME_KEY, 'Zoë');
    openLobby();
    expect(await screen.findByRole('heading', { name: 'The chat could not start' })).toBeInTheDocument();
  });
});

describe('sign-in required', () => {
  it('asks to sign in, refuses a wrong password, then connects with the ID token and the chat names the user', async () => {
    withSignIn('required', 'http://127.0.0.1:4566');
    openLobby();
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Display name')).toBeNull();
    const config: AuthConfig = cognitoProvider.mock.calls[0]![0];
    expect(config).toEqual({ mode: 'required', userPoolId: 'us-east-1_Pool1', userPoolClientId: 'client-1', cognitoEndpoint: 'http://127.0.0.1:4566' });

    await signIn('ada', 'wrong');
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(FakeWebSocket.instances).toHaveLength(0);

    await userEvent.clear(screen.getByLabelText('Password'));
    await userEvent.type(screen.getByLabelText('Password'), 'right');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const socket = await socketNumber(1);
    expect(socket.url).toBe(WEBSOCKET_URL);
    expect(socket.protocols).toEqual(['serverless-chat', 'serverless-chat.token.token-1']);
    admit(socket, { username: 'ada' });
    expect(screen.getByTitle('Your display name')).toHaveTextContent('ada');

    const menu = await openMenu();
    expect(within(menu).queryByLabelText('Display name')).toBeNull(); // the handle is not renamed here
    expect(within(menu).getByText('Signed in as')).toBeInTheDocument();
  });

  it('keeps the session across a reload', async () => {
    withSignIn('required');
    pool.keep(tokens('kept-token', Math.floor(Date.now() / 1000)));
    openLobby();
    const socket = await socketNumber(1);
    expect(socket.protocols).toEqual(['serverless-chat', 'serverless-chat.token.kept-token']);
    expect(screen.queryByRole('heading', { name: 'Sign in' })).toBeNull();
  });

  it('signs up, confirms with the e-mailed code (sent again on request), and is signed in', async () => {
    withSignIn('required');
    openLobby();
    await userEvent.click(await screen.findByRole('button', { name: 'Create an account' }));
    await userEvent.type(screen.getByLabelText('Username'), 'ada');
    await userEvent.type(screen.getByLabelText('E-mail'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'right');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(pool.provider.signUp).toHaveBeenCalledWith('ada', 'ada@example.com', 'right');

    expect(await screen.findByRole('heading', { name: 'Confirm your account' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Send a new code' }));
    expect(pool.provider.resendCode).toHaveBeenCalledWith('ada');
    expect(await screen.findByText('A new code is on its way.')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(pool.provider.confirmSignUp).toHaveBeenCalledWith('ada', '123456');
    expect((await socketNumber(1)).protocols).toEqual(['serverless-chat', 'serverless-chat.token.token-1']);
  });

  it('asks for the code when an account signing in was never confirmed, then signs it in', async () => {
    withSignIn('required');
    openLobby();
    pool.provider.signIn.mockRejectedValueOnce(new AuthError('UserNotConfirmedException', 'User is not confirmed.'));
    await signIn(' ada ', 'right');
    expect(await screen.findByRole('heading', { name: 'Confirm your account' })).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(pool.provider.confirmSignUp).toHaveBeenCalledWith('ada', '123456');
    expect((await socketNumber(1)).protocols).toEqual(['serverless-chat', 'serverless-chat.token.token-1']);
  });

  it('signs out of the chat first, then everywhere, closes the socket and asks to sign in again', async () => {
    withSignIn('required');
    openLobby();
    await signIn('ada', 'right');
    const socket = await socketNumber(1);
    admit(socket);
    await userEvent.click(within(await openMenu()).getByRole('button', { name: 'Sign out' }));
    expect(socket.lastSent()).toEqual({ action: 'sign-out' });
    expect(screen.getByRole('button', { name: 'Signing out…' })).toBeDisabled();
    expect(pool.provider.signOut).not.toHaveBeenCalled(); // the chat first

    signedOut(socket);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(pool.provider.signOut).toHaveBeenCalledOnce();
    expect(pool.provider.forget).not.toHaveBeenCalled();
    expect(screen.queryByText(SIGNED_OUT_TEXT)).toBeNull(); // she asked: no notice
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it(`signs out everywhere after ${SIGN_OUT_TIMEOUT_MS} ms when the chat never answers`, async () => {
    withSignIn('required');
    openLobby();
    await signIn('ada', 'right');
    const socket = await socketNumber(1);
    admit(socket);
    const signOutButton = within(await openMenu()).getByRole('button', { name: 'Sign out' });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      act(() => signOutButton.click());
      expect(socket.lastSent()).toEqual({ action: 'sign-out' });
      await act(() => vi.advanceTimersByTimeAsync(SIGN_OUT_TIMEOUT_MS - 1));
      expect(pool.provider.signOut).not.toHaveBeenCalled();
      await act(() => vi.advanceTimersByTimeAsync(1));
      expect(pool.provider.signOut).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('signs out everywhere at once when the socket is not open', async () => {
    withSignIn('required');
    openLobby();
    await signIn('ada', 'right');
    const connecting = await socketNumber(1);
    await userEvent.click(within(await openMenu()).getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(pool.provider.signOut).toHaveBeenCalledOnce();
    expect(connecting.sent).toEqual([]);
  });

  it('is signed out here, and says so, when the chat signs the user out from elsewhere', async () => {
    withSignIn('required');
    openLobby();
    await signIn('ada', 'right');
    const socket = await socketNumber(1);
    admit(socket);
    signedOut(socket);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByText(SIGNED_OUT_TEXT)).toBeInTheDocument();
    expect(pool.provider.forget).toHaveBeenCalledOnce();
    expect(pool.provider.signOut).not.toHaveBeenCalled();
    expect(FakeWebSocket.instances).toHaveLength(1); // no reconnect with the old token
  });

  it('deletes the account only once confirmed', async () => {
    withSignIn('required');
    openLobby();
    await signIn('ada', 'right');
    const socket = await socketNumber(1);
    admit(socket);
    const menu = await openMenu();
    await userEvent.click(within(menu).getByRole('button', { name: 'Delete account' }));
    await userEvent.click(within(menu).getByRole('button', { name: 'Keep my account' }));
    expect(pool.provider.deleteAccount).not.toHaveBeenCalled();
    await userEvent.click(within(menu).getByRole('button', { name: 'Delete account' }));
    await userEvent.click(within(menu).getByRole('button', { name: 'Delete my account' }));
    // Deleted, then the chat told, as for a sign-out: every socket of hers closes at once.
    await waitFor(() => expect(socket.lastSent()).toEqual({ action: 'sign-out' }));
    expect(pool.provider.deleteAccount).toHaveBeenCalledOnce();
    signedOut(socket);
    expect(await screen.findByText('Your account has been deleted.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('keeps the account and tells the chat nothing when the deletion is refused', async () => {
    withSignIn('required');
    openLobby();
    await signIn('ada', 'right');
    const socket = await socketNumber(1);
    admit(socket);
    pool.provider.deleteAccount.mockRejectedValueOnce(offline());
    const menu = await openMenu();
    await userEvent.click(within(menu).getByRole('button', { name: 'Delete account' }));
    await userEvent.click(within(menu).getByRole('button', { name: 'Delete my account' }));
    expect(await within(menu).findByRole('alert')).toBeInTheDocument();
    expect(socket.sentFrames().some((frame) => frame.action === 'sign-out')).toBe(false);
    expect(screen.getByRole('status')).toHaveTextContent('Online');
  });
});

describe('the ID token running out', () => {
  it('is renewed before it expires, and the socket replaced by one with the new token', async () => {
    pool = fakeIdentityProvider(Date.now, 1); // a token of one second: renewed after 0.8 s
    withSignIn('required');
    openLobby();
    await signIn('ada', 'right');
    const first = await socketNumber(1);
    admit(first, { history: [chatMessage(1)] });
    const second = await socketNumber(2);
    expect(pool.provider.refresh).toHaveBeenCalled();
    expect(first.readyState).toBe(FakeWebSocket.CLOSED);
    expect(second.protocols).toEqual(['serverless-chat', 'serverless-chat.token.token-2']);
    act(() => second.open());
    expect(second.lastSent()).toMatchObject({ action: 'on-enter-room', afterSeq: 1 });
  });

  it('is renewed when the server says token_expired, and the chat reconnects with it', async () => {
    withSignIn('required');
    openLobby();
    await signIn('ada', 'right');
    const first = await socketNumber(1);
    admit(first);
    act(() => first.receive({ type: 'error', code: 'token_expired', message: 'The sign-in has expired.' }));
    const second = await socketNumber(2);
    expect(pool.provider.refresh).toHaveBeenCalledOnce();
    expect(second.protocols).toEqual(['serverless-chat', 'serverless-chat.token.token-2']);
  });

  it('signs the page out when the session was revoked elsewhere', async () => {
    withSignIn('required');
    openLobby();
    await signIn('ada', 'right');
    const first = await socketNumber(1);
    admit(first);
    pool.provider.refresh.mockRejectedValueOnce(new AuthError('NotAuthorizedException', 'Refresh Token has been revoked'));
    act(() => first.receive({ type: 'error', code: 'token_expired', message: 'The sign-in has expired.' }));
    expect(await screen.findByText('Your session has ended. Please sign in again.')).toBeInTheDocument();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('sign-in optional', () => {
  it('lets a guest in without a subprotocol, with a sign-in button, and marks the guests', async () => {
    withSignIn('optional');
    openLobby();
    await userEvent.type(await screen.findByLabelText('Display name'), '{Control>}a{/Control}Zoë');
    await userEvent.click(screen.getByRole('button', { name: 'Enter as a guest' }));
    const socket = await socketNumber(1);
    expect(socket.protocols).toBeUndefined();
    admit(socket, { username: 'Zoë', members: ['Zoë', 'ada'], guests: ['Zoë'] });
    act(() => socket.receive({ type: 'message', ...chatMessage(1, { username: 'Kim', guest: true }) }));
    act(() => socket.receive({ type: 'message', ...chatMessage(2, { username: 'ada' }) }));

    const members = screen.getAllByRole('region', { name: /In this room/ })[0]!;
    expect(within(members).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['ada', 'Zoë guest (you)']);
    const messages = within(screen.getByRole('log', { name: 'Messages' })).getAllByRole('listitem');
    expect(messages.map((item) => item.querySelector('.message-meta')?.textContent)).toEqual([
      expect.stringMatching(/^Kim guest /),
      expect.not.stringContaining('guest'),
    ]);
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('signs a guest in (the guest socket replaced by a signed-in one), and out back to a guest', async () => {
    withSignIn('optional');
    localStorage.setItem(NAME_KEY, 'Zoë');
    openLobby();
    const guest = await socketNumber(1);
    admit(guest, { username: 'Zoë' });
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await signIn('ada', 'right');
    const user = await socketNumber(2);
    expect(guest.readyState).toBe(FakeWebSocket.CLOSED);
    expect(user.protocols).toEqual(['serverless-chat', 'serverless-chat.token.token-1']);
    admit(user);

    await userEvent.click(within(await openMenu()).getByRole('button', { name: 'Sign out' }));
    signedOut(user);
    const guestAgain = await socketNumber(3);
    expect(pool.provider.signOut).toHaveBeenCalledOnce();
    expect(user.readyState).toBe(FakeWebSocket.CLOSED);
    expect(guestAgain.protocols).toBeUndefined();
    act(() => guestAgain.open());
    expect(guestAgain.lastSent()).toMatchObject({ action: 'on-enter-room', username: 'Zoë' });
  });

  it('goes back to a guest, with a notice, when the chat signs the user out from elsewhere', async () => {
    withSignIn('optional');
    localStorage.setItem(NAME_KEY, 'Zoë');
    openLobby();
    admit(await socketNumber(1), { username: 'Zoë' });
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await signIn('ada', 'right');
    const user = await socketNumber(2);
    admit(user);

    signedOut(user);
    const guestAgain = await socketNumber(3);
    expect(guestAgain.protocols).toBeUndefined(); // a guest's socket, not the old token
    expect(screen.getByText(SIGNED_OUT_TEXT)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(pool.provider.signOut).not.toHaveBeenCalled();
    expect(pool.provider.forget).toHaveBeenCalledOnce();
  });

  it('asks a user who never was a guest here for a name, with the notice, when signed out from elsewhere', async () => {
    withSignIn('optional');
    openLobby();
    await userEvent.click(await screen.findByRole('button', { name: 'Sign in' }));
    await signIn('ada', 'right');
    const user = await socketNumber(1);
    admit(user);
    signedOut(user);
    expect(await screen.findByRole('button', { name: 'Enter as a guest' })).toBeInTheDocument();
    expect(screen.getByText(SIGNED_OUT_TEXT)).toBeInTheDocument();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('lets a guest who opened the sign-in form go back as a guest', async () => {
    withSignIn('optional');
    localStorage.setItem(NAME_KEY, 'Zoë');
    openLobby();
    admit(await socketNumber(1), { username: 'Zoë' });
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await userEvent.click(screen.getByRole('button', { name: 'Continue as a guest' }));
    expect((await socketNumber(2)).protocols).toBeUndefined();
  });
});
