// Private rooms as a user sees them: their addresses, invite links, a refused entry, and (signed in)
// the menu's rooms and the owner's invite panel; none of it where sign-in is off.
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
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

  it('is sent by a guest only once signed in (sign-in optional)', async () => {
    withSignIn('optional');
    localStorage.setItem(NAME_KEY, 'Zoë');
    openPage(`/${ROOM}#invite=${CODE}`);
    expect(await screen.findByText(/Your invite link lets you in once you are signed in/)).toBeInTheDocument();
    expect(FakeWebSocket.instances).toHaveLength(0); // a guest never enters a private room

    await userEvent.click(screen.getByRole('button', { name: 'Sign in first' }));
    await userEvent.type(await screen.findByLabelText('Username'), 'ada');
    await userEvent.type(screen.getByLabelText('Password'), 'right');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const user = opened(await socketNumber(1));
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

  it('asks a guest to sign in first, without connecting or asking a name (sign-in optional)', async () => {
    withSignIn('optional');
    openPage(`/${ROOM}`);
    expect(await screen.findByRole('heading', { name: /This room is private/ })).toBeInTheDocument();
    expect(screen.getByText(NOT_INVITED_HELP)).toBeInTheDocument();
    expect(screen.queryByLabelText('Display name')).toBeNull();
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toHaveAttribute('href', '/');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in first' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('shows a guest whose entry the chat refuses as not_invited the same view, with Sign in first', async () => {
    withSignIn('optional');
    localStorage.setItem(NAME_KEY, 'Zoë');
    openPage('/lobby');
    serverSends(opened(await socketNumber(1)), { type: 'error', code: 'not_invited', message: 'private' });
    expect(screen.getByRole('heading', { name: /This room is private/ })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in first' })).toBeInTheDocument();
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
  expect(socket.sentFrames()[1]).toEqual({ action: 'list-blocks' }); // asked once signed in and connected
  serverSends(socket, { type: 'blocks', handles: [] });
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

  it("asks nothing of a private room's role, and offers no invite panel, even were a guest let in", async () => {
    serveConfig({});
    localStorage.setItem(NAME_KEY, 'Zoë');
    openPage(`/${ROOM}`);
    const socket = opened(await socketNumber(1));
    serverSends(socket, roomFrame({ roomId: ROOM, username: 'Zoë' }));
    expect(screen.queryByRole('button', { name: 'Invite' })).toBeNull();
    expect(socket.sentFrames().map((frame) => frame.action)).toEqual(['on-enter-room']);
  });
});

const LATER = '2026-01-09T12:00:00.000Z';
const SOON = '2026-01-02T12:00:00.000Z';
const OTHER_CODE = 'b3RoZXItaW52aXRlLWNvZA';

function stubClipboard(writeText: (text: string) => Promise<void>): ReturnType<typeof vi.fn> {
  const spy = vi.fn(writeText);
  Object.defineProperty(window.navigator, 'clipboard', { value: { writeText: spy }, configurable: true });
  return spy;
}

/** In the private room, whose owner (or member) ada is, as `list-rooms` says. */
async function inPrivateRoom(role: 'owner' | 'member' = 'owner'): Promise<FakeWebSocket> {
  const socket = await inRoom(ROOM);
  expect(socket.lastSent()).toEqual({ action: 'list-rooms' }); // to learn the role
  serverSends(socket, { type: 'rooms', rooms: [{ roomId: ROOM, role }] });
  return socket;
}

async function openInvitePanel(socket: FakeWebSocket): Promise<HTMLElement> {
  await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
  expect(socket.lastSent()).toEqual({ action: 'list-invites', roomId: ROOM });
  return screen.getByRole('region', { name: 'Invite' });
}

function liveInvites(panel: HTMLElement): HTMLElement[] {
  return within(within(panel).getByRole('list', { name: 'Live invites' })).getAllByRole('listitem');
}

describe('a private room', () => {
  it('is marked private in the header; a public room is not', async () => {
    await inPrivateRoom('member');
    expect(screen.getByText('Private room')).toBeInTheDocument();
    cleanup();
    FakeWebSocket.reset();
    await inRoom('lobby');
    expect(screen.queryByText('Private room')).toBeNull();
  });

  it('gives its owner the invite panel where sign-in is optional too', async () => {
    const socket = await inRoom(ROOM, 'optional');
    expect(socket.lastSent()).toEqual({ action: 'list-rooms' });
    serverSends(socket, { type: 'rooms', rooms: [{ roomId: ROOM, role: 'owner' }] });
    await openInvitePanel(socket);
  });

  it('has no invite panel for a member', async () => {
    await inPrivateRoom('member');
    expect(screen.queryByRole('button', { name: 'Invite' })).toBeNull();
  });

  it("lists its owner's live invites with their expiry, soonest first", async () => {
    const socket = await inPrivateRoom();
    const panel = await openInvitePanel(socket);
    expect(within(panel).getByText('Loading the invites…')).toBeInTheDocument();
    serverSends(socket, {
      type: 'invites',
      roomId: ROOM,
      invites: [
        { code: CODE, expiresAt: SOON },
        { code: OTHER_CODE, expiresAt: LATER },
      ],
    });
    const items = liveInvites(panel);
    expect(items.map((item) => item.querySelector('time')?.getAttribute('dateTime'))).toEqual([SOON, LATER]);
    expect(within(items[0]!).getByRole('button', { name: /^Revoke/ })).toBeEnabled();
  });

  it('creates an invite link of the default lifetime, or of one chosen, and copies it', async () => {
    const writeText = stubClipboard(async () => {});
    const socket = await inPrivateRoom();
    const panel = await openInvitePanel(socket);
    serverSends(socket, { type: 'invites', roomId: ROOM, invites: [] });
    expect(within(panel).getByText('No live invites.')).toBeInTheDocument();
    expect(within(panel).getByLabelText('Link valid for')).toHaveDisplayValue('7 days');
    expect(within(panel).getAllByRole('option').map((option) => option.textContent)).toEqual(['1 day', '7 days', '30 days']);

    await userEvent.click(within(panel).getByRole('button', { name: 'Create invite link' }));
    expect(socket.lastSent()).toEqual({ action: 'create-invite', roomId: ROOM }); // the chat's default lifetime
    serverSends(socket, { type: 'invite', roomId: ROOM, code: CODE, expiresAt: LATER });
    const link = `${window.location.origin}/${ROOM}#invite=${CODE}`;
    const fresh = within(panel).getByRole('group', { name: 'New invite link' });
    expect(within(fresh).getByLabelText('Invite link')).toHaveValue(link);
    expect(fresh.querySelector('time')).toHaveAttribute('dateTime', LATER);
    expect(liveInvites(panel)).toHaveLength(1);

    await userEvent.click(within(fresh).getByRole('button', { name: 'Copy link' }));
    expect(writeText).toHaveBeenCalledWith(link);
    expect(await within(fresh).findByText('Copied.')).toBeInTheDocument();

    await userEvent.selectOptions(within(panel).getByLabelText('Link valid for'), '1 day');
    await userEvent.click(within(panel).getByRole('button', { name: 'Create invite link' }));
    expect(socket.lastSent()).toEqual({ action: 'create-invite', roomId: ROOM, expiresInSeconds: 86400 });
    expect(within(panel).getByRole('button', { name: 'Creating…' })).toBeDisabled();
    serverSends(socket, { type: 'invite', roomId: ROOM, code: OTHER_CODE, expiresAt: SOON });
    expect(liveInvites(panel).map((item) => item.querySelector('time')?.getAttribute('dateTime'))).toEqual([SOON, LATER]);
    await userEvent.selectOptions(within(panel).getByLabelText('Link valid for'), '30 days');
    await userEvent.click(within(panel).getByRole('button', { name: 'Create invite link' }));
    expect(socket.lastSent()).toEqual({ action: 'create-invite', roomId: ROOM, expiresInSeconds: 2592000 });
  });

  it('shows the link in a field to copy by hand when the browser will not copy it', async () => {
    stubClipboard(async () => {
      throw new Error('denied');
    });
    const socket = await inPrivateRoom();
    const panel = await openInvitePanel(socket);
    serverSends(socket, { type: 'invites', roomId: ROOM, invites: [{ code: OTHER_CODE, expiresAt: LATER }] });
    await userEvent.click(within(liveInvites(panel)[0]!).getByRole('button', { name: 'Copy link' }));
    const field = await within(liveInvites(panel)[0]!).findByRole('textbox', { name: 'Invite link' });
    expect(field).toHaveValue(`${window.location.origin}/${ROOM}#invite=${OTHER_CODE}`);

    await userEvent.click(within(panel).getByRole('button', { name: 'Create invite link' }));
    serverSends(socket, { type: 'invite', roomId: ROOM, code: CODE, expiresAt: SOON });
    const fresh = within(panel).getByRole('group', { name: 'New invite link' });
    await userEvent.click(within(fresh).getByRole('button', { name: 'Copy link' }));
    expect(await within(fresh).findByText(/copy it from there/)).toBeInTheDocument();
  });

  it('revokes an invite and lists those left', async () => {
    const socket = await inPrivateRoom();
    const panel = await openInvitePanel(socket);
    serverSends(socket, {
      type: 'invites',
      roomId: ROOM,
      invites: [
        { code: CODE, expiresAt: SOON },
        { code: OTHER_CODE, expiresAt: LATER },
      ],
    });
    await userEvent.click(within(liveInvites(panel)[0]!).getByRole('button', { name: /^Revoke/ }));
    expect(socket.lastSent()).toEqual({ action: 'revoke-invite', roomId: ROOM, code: CODE });
    serverSends(socket, { type: 'invites', roomId: ROOM, invites: [{ code: OTHER_CODE, expiresAt: LATER }] });
    expect(liveInvites(panel).map((item) => item.querySelector('time')?.getAttribute('dateTime'))).toEqual([LATER]);
  });

  it('adds a member by handle, and says when nobody has it', async () => {
    const socket = await inPrivateRoom();
    const panel = await openInvitePanel(socket);
    const handle = within(panel).getByRole('textbox', { name: 'Handle' });
    await userEvent.type(handle, 'nobody{Enter}');
    expect(socket.lastSent()).toEqual({ action: 'add-member', roomId: ROOM, handle: 'nobody' });
    serverSends(socket, { type: 'error', code: 'unknown_handle', message: 'no such handle' });
    expect(within(panel).getByRole('alert')).toHaveTextContent(errorText('unknown_handle'));

    await userEvent.clear(handle);
    await userEvent.type(handle, ' grace ');
    await userEvent.click(within(panel).getByRole('button', { name: 'Add' }));
    expect(socket.lastSent()).toEqual({ action: 'add-member', roomId: ROOM, handle: 'grace' });
    expect(within(panel).queryByRole('alert')).toBeNull();
    serverSends(socket, { type: 'member_added', roomId: ROOM, handle: 'Grace' });
    expect(within(panel).getByText(/is a member now/)).toHaveTextContent('Grace is a member now.');
    expect(handle).toHaveValue('');
  });

  it.each(['too_many_invites', 'not_room_owner', 'rate_limited'])(
    "shows %s from an invite action in the contract's words, next to the panel",
    async (code) => {
      const socket = await inPrivateRoom();
      const panel = await openInvitePanel(socket);
      serverSends(socket, { type: 'invites', roomId: ROOM, invites: [] });
      await userEvent.click(within(panel).getByRole('button', { name: 'Create invite link' }));
      serverSends(socket, { type: 'error', code, message: 'no' });
      expect(within(panel).getByRole('alert')).toHaveTextContent(errorText(code));
      expect(within(panel).getByRole('button', { name: 'Create invite link' })).toBeEnabled();
      expect(screen.getByRole('textbox', { name: 'Message' })).toBeInTheDocument();
    },
  );

  it('offers the panel when the role could not be learnt, and a member trying it is told', async () => {
    const socket = await inRoom(ROOM);
    serverSends(socket, { type: 'error', code: 'busy', message: 'busy' }); // the answer to list-rooms
    const panel = await openInvitePanel(socket);
    serverSends(socket, { type: 'error', code: 'not_room_owner', message: 'not the owner' });
    expect(within(panel).getByRole('alert')).toHaveTextContent('Only the room’s owner can do that.');
  });

  it('closes the panel with Escape and its Close button', async () => {
    const socket = await inPrivateRoom();
    await openInvitePanel(socket);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Invite' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    await userEvent.click(within(screen.getByRole('region', { name: 'Invite' })).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region', { name: 'Invite' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Invite' })).toHaveAttribute('aria-expanded', 'false');
  });
});
