// Private rooms as a user sees them: their addresses, invite links, a refused entry, and (signed in)
// the menu's rooms and the owner's invite panel; none of it where sign-in is off.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NOT_INVITED_HELP, errorText } from '../src/chat/errorText';
import { App } from '../src/components/App';
import { navigation } from '../src/navigation';
import { ROOM_RULE } from '../src/roomPath';
import { FakeWebSocket, roomFrame } from './fakeWebSocket';
import { fakeIdentityProvider, tokens } from './fakeIdentityProvider';

let pool: ReturnType<typeof fakeIdentityProvider>;
const cognitoProvider = vi.hoisted(() => vi.fn());
vi.mock('../src/auth/cognito', () => ({ cognitoProvider }));

const NAME_KEY = 'serverless-chat.username';
const ROOM = '~Qh7v0c2mXbT9yLkR4sW1aZ';
const CODE = 'd3JpdGUtbWUtYS1jb2RlMA';

function serveConfig(config: Record<string, unknown>): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ websocketUrl: 'wss://chat.example/production', ...config }), { status: 200 })),
  );
}

function withSignIn(authMode: 'optional' | 'required'): void {
  serveConfig({ authMode, userPoolId: 'us-east-1_Pool1', userPoolClientId: 'client-1' });
}

/** Signed in already (a session kept from an earlier visit). */
function signedIn(authMode: 'optional' | 'required' = 'required'): void {
  withSignIn(authMode);
  pool.keep(tokens('kept-token', Math.floor(Date.now() / 1000)));
}

function openPage(url: string): void {
  window.history.replaceState(null, '', url);
  render(<App />);
}

async function socketNumber(count: number): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(count), { timeout: 3000 });
  return FakeWebSocket.latest();
}

function opened(socket: FakeWebSocket): FakeWebSocket {
  act(() => socket.open());
  return socket;
}

function serverSends(socket: FakeWebSocket, frame: Record<string, unknown>): void {
  act(() => socket.receive(frame));
}

function enterFrames(socket: FakeWebSocket): Record<string, unknown>[] {
  return socket.sentFrames().filter((frame) => frame.action === 'on-enter-room');
}

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  pool = fakeIdentityProvider();
  cognitoProvider.mockReset();
  cognitoProvider.mockImplementation(() => pool.provider);
  return () => vi.unstubAllGlobals();
});

describe("a private room's address", () => {
  it('is a room: `~` and 22 characters', async () => {
    signedIn();
    openPage(`/${ROOM}`);
    const socket = opened(await socketNumber(1));
    expect(socket.lastSent()).toMatchObject({ action: 'on-enter-room', groupId: ROOM });
  });

  it.each(['~short', `${ROOM}x`, '~Qh7v0c2mXbT9yLkR4sW1a!'])('is not a room when it breaks the pattern: %s', (requested) => {
    serveConfig({});
    openPage(`/${encodeURIComponent(requested)}`);
    expect(screen.getByRole('heading', { name: 'There is no room at this address' })).toBeInTheDocument();
    expect(screen.getByText(/private room’s is “~” and 22/)).toBeInTheDocument();
  });

  it('is described by the room rule', () => {
    expect(ROOM_RULE).toContain('“~” and 22');
  });
});

describe('an invite link', () => {
  it('sends its code on entering, until the room frame, then drops it from the address', async () => {
    signedIn();
    openPage(`/${ROOM}#invite=${CODE}`);
    const socket = opened(await socketNumber(1));
    expect(socket.lastSent()).toEqual(expect.objectContaining({ action: 'on-enter-room', groupId: ROOM, invite: CODE }));
    expect(window.location.hash).toBe(`#invite=${CODE}`);

    serverSends(socket, roomFrame({ roomId: ROOM, username: 'ada', members: ['ada'] }));
    expect(window.location.pathname).toBe(`/${ROOM}`);
    expect(window.location.hash).toBe('');
    expect(screen.getByRole('heading', { name: new RegExp(ROOM) })).toBeInTheDocument();
  });

  it('keeps its code across a reconnect before the room frame', async () => {
    signedIn();
    openPage(`/${ROOM}#invite=${CODE}`);
    const first = opened(await socketNumber(1));
    act(() => first.drop());
    const second = opened(await socketNumber(2));
    expect(second.lastSent()).toMatchObject({ action: 'on-enter-room', invite: CODE });
    expect(window.location.hash).toBe(`#invite=${CODE}`);
  });

  it('sends nothing of a fragment that is not an invite code', async () => {
    signedIn();
    openPage(`/${ROOM}#invite=not-a-code`);
    expect(opened(await socketNumber(1)).lastSent()).not.toHaveProperty('invite');
  });

  it('is not sent to a public room', async () => {
    signedIn();
    openPage(`/lobby#invite=${CODE}`);
    expect(opened(await socketNumber(1)).lastSent()).not.toHaveProperty('invite');
  });

  it('is sent by a guest only once signed in', async () => {
    withSignIn('optional');
    localStorage.setItem(NAME_KEY, 'Zoë');
    openPage(`/${ROOM}#invite=${CODE}`);
    const guest = opened(await socketNumber(1));
    expect(guest.lastSent()).not.toHaveProperty('invite');
    serverSends(guest, { type: 'error', code: 'not_invited', message: 'private' });
    expect(screen.getByText(/Your invite link lets you in once you are signed in/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Sign in first' }));
    await userEvent.type(await screen.findByLabelText('Username'), 'ada');
    await userEvent.type(screen.getByLabelText('Password'), 'right');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const user = opened(await socketNumber(2));
    expect(user.protocols).toEqual(['serverless-chat', 'serverless-chat.token.token-1']);
    expect(user.lastSent()).toMatchObject({ action: 'on-enter-room', groupId: ROOM, invite: CODE });
  });
});

describe('a private room that does not let the user in', () => {
  it('says so, with a way home, and does not try again', async () => {
    signedIn();
    openPage(`/${ROOM}`);
    const socket = opened(await socketNumber(1));
    serverSends(socket, { type: 'error', code: 'not_invited', message: 'private' });
    expect(screen.getByRole('heading', { name: /This room is private/ })).toBeInTheDocument();
    expect(screen.getByText(NOT_INVITED_HELP)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toHaveAttribute('href', '/');
    expect(screen.queryByRole('button', { name: 'Sign in first' })).toBeNull(); // signed in already
    expect(screen.queryByText(/invite link you opened/)).toBeNull();
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the first reconnect's longest wait
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(enterFrames(socket)).toHaveLength(1);
  });

  it('says when the invite the link held was not taken', async () => {
    signedIn();
    openPage(`/${ROOM}#invite=${CODE}`);
    const socket = opened(await socketNumber(1));
    serverSends(socket, { type: 'error', code: 'not_invited', message: 'private' });
    expect(screen.getByText(/The invite link you opened is not valid any more/)).toBeInTheDocument();
  });

  it('offers a guest to sign in first (sign-in optional)', async () => {
    withSignIn('optional');
    localStorage.setItem(NAME_KEY, 'Zoë');
    openPage(`/${ROOM}`);
    serverSends(opened(await socketNumber(1)), { type: 'error', code: 'not_invited', message: 'private' });
    expect(screen.getByRole('heading', { name: /This room is private/ })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Sign in first' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('is only said where sign-in is off, with no sign-in offered', async () => {
    serveConfig({});
    localStorage.setItem(NAME_KEY, 'Zoë');
    openPage(`/${ROOM}#invite=${CODE}`);
    const socket = opened(await socketNumber(1));
    expect(socket.lastSent()).not.toHaveProperty('invite'); // a guest's entry
    serverSends(socket, { type: 'error', code: 'not_invited', message: 'private' });
    expect(screen.getByRole('heading', { name: /This room is private/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Sign in/ })).toBeNull();
    expect(cognitoProvider).not.toHaveBeenCalled();
  });
});

async function openMenu(): Promise<HTMLElement> {
  await userEvent.click(screen.getByRole('button', { name: 'Menu' }));
  return screen.getByRole('navigation', { name: 'Menu' });
}

/** Signed in as ada (kept session), in `roomId`, entered. */
async function inRoom(roomId = 'lobby', authMode: 'optional' | 'required' = 'required'): Promise<FakeWebSocket> {
  signedIn(authMode);
  openPage(`/${roomId}`);
  const socket = opened(await socketNumber(1));
  serverSends(socket, roomFrame({ roomId, username: 'ada', members: ['ada'] }));
  return socket;
}

describe("a signed-in user's menu", () => {
  it('starts a new private room and goes there', async () => {
    const go = vi.spyOn(navigation, 'go').mockImplementation(() => {});
    const socket = await inRoom();
    const menu = await openMenu();
    await userEvent.click(within(menu).getByRole('button', { name: 'New private room' }));
    expect(socket.lastSent()).toEqual({ action: 'create-room' });
    expect(within(menu).getByRole('button', { name: 'Creating a private room…' })).toBeDisabled();
    serverSends(socket, { type: 'room_created', roomId: ROOM });
    expect(go).toHaveBeenCalledWith(`/${ROOM}`);
  });

  it("shows why a private room was not made, in the contract's words", async () => {
    const go = vi.spyOn(navigation, 'go').mockImplementation(() => {});
    const socket = await inRoom();
    const menu = await openMenu();
    await userEvent.click(within(menu).getByRole('button', { name: 'New private room' }));
    serverSends(socket, { type: 'error', code: 'too_many_rooms', message: 'too many' });
    expect(within(menu).getByRole('alert')).toHaveTextContent(errorText('too_many_rooms'));
    expect(within(menu).getByRole('button', { name: 'New private room' })).toBeEnabled();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeInTheDocument(); // still in the room
    expect(go).not.toHaveBeenCalled();
  });

  it('lists my rooms with links and my role in each', async () => {
    const socket = await inRoom();
    const menu = await openMenu();
    await userEvent.click(within(menu).getByRole('button', { name: 'My rooms' }));
    expect(socket.lastSent()).toEqual({ action: 'list-rooms' });
    expect(within(menu).getByText('Loading your rooms…')).toBeInTheDocument();
    const other = '~AAAAAAAAAAAAAAAAAAAAAA';
    serverSends(socket, { type: 'rooms', rooms: [{ roomId: ROOM, role: 'owner' }, { roomId: other, role: 'member' }] });
    const items = within(within(menu).getByRole('list', { name: 'My rooms' })).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([`🔒 ${ROOM} owner`, `🔒 ${other} member`]);
    expect(within(items[0]!).getByRole('link')).toHaveAttribute('href', `/${ROOM}`);
    expect(within(items[1]!).getByRole('link')).toHaveAttribute('href', `/${other}`);
  });

  it('says when there are none yet', async () => {
    const socket = await inRoom();
    const menu = await openMenu();
    await userEvent.click(within(menu).getByRole('button', { name: 'My rooms' }));
    serverSends(socket, { type: 'rooms', rooms: [] });
    expect(within(menu).getByText('You are not a member of any private room yet.')).toBeInTheDocument();
  });

  it('has no private rooms for a guest (sign-in optional)', async () => {
    withSignIn('optional');
    localStorage.setItem(NAME_KEY, 'Zoë');
    openPage('/lobby');
    const socket = opened(await socketNumber(1));
    serverSends(socket, roomFrame({ username: 'Zoë' }));
    const menu = await openMenu();
    expect(within(menu).queryByRole('button', { name: 'New private room' })).toBeNull();
    expect(within(menu).queryByRole('button', { name: 'My rooms' })).toBeNull();
  });
});

describe('sign-in off', () => {
  it('shows nothing of private rooms', async () => {
    serveConfig({ authMode: 'off' });
    localStorage.setItem(NAME_KEY, 'Zoë');
    openPage('/lobby');
    const socket = opened(await socketNumber(1));
    serverSends(socket, roomFrame({ username: 'Zoë' }));
    const menu = await openMenu();
    expect(within(menu).queryByRole('region', { name: 'Private rooms' })).toBeNull();
    expect(within(menu).queryByRole('button', { name: /private room|My rooms/ })).toBeNull();
    expect(screen.queryByText('Private room')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Invite' })).toBeNull();
    expect(socket.sentFrames().map((frame) => frame.action)).toEqual(['on-enter-room']);
  });
});
