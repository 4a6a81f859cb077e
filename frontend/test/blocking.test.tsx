// Blocking as the page shows it (signed in only): Block… and Unblock in each signed-in member's
// actions menu, the confirmation, the frames, list-blocks asked once, the account's Blocked users
// with an Unblock each, the blocked user's messages hidden, errors where the action was taken, and
// nothing of it for guests or where sign-in is off.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NO_REPLY_TEXT, errorText } from '../src/chat/errorText';
import { App } from '../src/components/App';
import { FakeWebSocket, chatMessage, roomFrame } from './fakeWebSocket';
import { fakeIdentityProvider, tokens } from './fakeIdentityProvider';

let pool: ReturnType<typeof fakeIdentityProvider>;
const cognitoProvider = vi.hoisted(() => vi.fn());
vi.mock('../src/auth/cognito', () => ({ cognitoProvider }));

const NAME_KEY = 'serverless-chat.username';
const ROOM = '~Qh7v0c2mXbT9yLkR4sW1aZ';

function serveConfig(config: Record<string, unknown>): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ websocketUrl: 'wss://chat.example/production', ...config }), { status: 200 })),
  );
}

function withSignIn(authMode: 'optional' | 'required'): void {
  serveConfig({ authMode, userPoolId: 'us-east-1_Pool1', userPoolClientId: 'client-1' });
}

async function socketNumber(count: number): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(count), { timeout: 3000 });
  return FakeWebSocket.latest();
}

function serverSends(socket: FakeWebSocket, frame: Record<string, unknown>): void {
  act(() => socket.receive(frame));
}

function sentActions(socket: FakeWebSocket): unknown[] {
  return socket.sentFrames().map((frame) => frame.action);
}

interface InRoom {
  roomId?: string;
  authMode?: 'optional' | 'required';
  members?: string[];
  guests?: string[];
  history?: ReturnType<typeof chatMessage>[];
  /** What `list-blocks` answers; `null`: not answered. */
  blocked?: string[] | null;
}

/** Signed in as ada (a kept session), in the room with bob and grace, entered. */
async function inRoom({
  roomId = 'lobby',
  authMode = 'required',
  members = ['ada', 'bob', 'grace'],
  guests,
  history = [],
  blocked = [],
}: InRoom = {}): Promise<FakeWebSocket> {
  withSignIn(authMode);
  pool.keep(tokens('kept-token', Math.floor(Date.now() / 1000)));
  window.history.replaceState(null, '', `/${roomId}`);
  render(<App />);
  const socket = await socketNumber(1);
  act(() => socket.open());
  serverSends(socket, roomFrame({ roomId, username: 'ada', members, history, ...(guests ? { guests } : {}) }));
  expect(socket.sentFrames()[1]).toEqual({ action: 'list-blocks' });
  if (blocked !== null) serverSends(socket, { type: 'blocks', handles: blocked });
  return socket;
}

function memberList(): HTMLElement {
  return screen.getByRole('region', { name: /In this room/ });
}

/** The member panel's list, and the menu's while it is open (narrow screens). */
function memberLists(): HTMLElement[] {
  return screen.getAllByRole('region', { name: /In this room/ });
}

function actionButtons(): string[] {
  return within(memberList())
    .queryAllByRole('button', { name: /^Actions for / })
    .map((button) => button.getAttribute('aria-label') ?? '');
}

async function openActions(name: string): Promise<HTMLElement> {
  await userEvent.click(within(memberList()).getByRole('button', { name: `Actions for ${name}` }));
  return within(memberList()).getByRole('menu', { name: `Actions for ${name}` });
}

function menuItems(menu: HTMLElement): string[] {
  return within(menu)
    .getAllByRole('menuitem')
    .map((item) => item.textContent ?? '');
}

async function blockFromMenu(name: string): Promise<void> {
  await userEvent.click(within(await openActions(name)).getByRole('menuitem', { name: 'Block…' }));
  await userEvent.click(within(within(memberList()).getByRole('group', { name: `Block ${name}?` })).getByRole('button', { name: 'Block' }));
}

async function openMenu(): Promise<HTMLElement> {
  await userEvent.click(screen.getByRole('button', { name: 'Menu' }));
  return screen.getByRole('navigation', { name: 'Menu' });
}

function blockedUsers(menu: HTMLElement): HTMLElement {
  return within(within(menu).getByRole('region', { name: 'Account' })).getByRole('region', { name: 'Blocked users' });
}

function blockedList(section: HTMLElement): string[] {
  const list = within(section).queryByRole('list', { name: 'Blocked users' });
  return list ? within(list).getAllByRole('listitem').map((item) => item.querySelector('bdi')?.textContent ?? '') : [];
}

function shownAuthors(): string[] {
  return [...document.querySelectorAll('.message-author')].map((author) => author.textContent ?? '');
}

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  pool = fakeIdentityProvider();
  cognitoProvider.mockReset();
  cognitoProvider.mockImplementation(() => pool.provider);
  return () => vi.unstubAllGlobals();
});

describe("a member's actions menu", () => {
  it('offers Block for every signed-in member but oneself, alone in a public room', async () => {
    await inRoom();
    expect(actionButtons()).toEqual(['Actions for bob', 'Actions for grace']);
    expect(menuItems(await openActions('bob'))).toEqual(['Block…']);
  });

  it('never offers it for a guest (sign-in optional)', async () => {
    await inRoom({ authMode: 'optional', members: ['ada', 'bob', 'Zoë'], guests: ['Zoë'] });
    expect(actionButtons()).toEqual(['Actions for bob']);
    expect(within(memberList()).getByText('Zoë').closest('li')).toHaveTextContent('Zoë guest');
  });

  it('offers Block to a plain member of a private room, alone', async () => {
    const socket = await inRoom({ roomId: ROOM });
    serverSends(socket, { type: 'rooms', rooms: [{ roomId: ROOM, role: 'member' }] });
    expect(menuItems(await openActions('grace'))).toEqual(['Block…']);
  });

  it('asks first: Cancel sends nothing, Block sends block-user', async () => {
    const socket = await inRoom();
    const sentBefore = socket.sent.length;
    await userEvent.click(within(await openActions('bob')).getByRole('menuitem', { name: 'Block…' }));
    const ask = within(memberList()).getByRole('group', { name: 'Block bob?' });
    expect(ask).toHaveTextContent('Block bob? You will no longer see their messages; they are not told.');
    expect(ask.querySelector('bdi')).toHaveTextContent('bob');
    expect(document.activeElement).toHaveAccessibleName('Cancel');
    await userEvent.click(within(ask).getByRole('button', { name: 'Cancel' }));
    expect(within(memberList()).queryByRole('group')).toBeNull();
    expect(socket.sent).toHaveLength(sentBefore);

    await blockFromMenu('bob');
    expect(socket.lastSent()).toEqual({ action: 'block-user', handle: 'bob' });
    expect(socket.sent).toHaveLength(sentBefore + 1);
    expect(within(memberList()).queryByRole('menu')).toBeNull();
  });

  it('offers Unblock for someone blocked (handles compared whatever their case), which sends unblock-user and says when their messages come back', async () => {
    const socket = await inRoom({ members: ['ada', 'Bob', 'grace'], blocked: ['bob'] });
    expect(menuItems(await openActions('Bob'))).toEqual(['Unblock']);
    await userEvent.click(within(memberList()).getByRole('menuitem', { name: 'Unblock' }));
    expect(socket.lastSent()).toEqual({ action: 'unblock-user', handle: 'Bob' });
    serverSends(socket, { type: 'unblocked', handle: 'Bob' });
    expect(within(memberList()).getByRole('status')).toHaveTextContent('Messages from Bob show again after the page reloads');
    expect(menuItems(await openActions('Bob'))).toEqual(['Block…']);
  });

  it('shows Block beside the moderation actions for the owner of a private room, and Unblock once blocked', async () => {
    const socket = await inRoom({ roomId: ROOM });
    serverSends(socket, { type: 'rooms', rooms: [{ roomId: ROOM, role: 'owner' }] });
    const items = menuItems(await openActions('grace'));
    expect(items).toContain('Remove from the room…');
    expect(items.at(-1)).toBe('Block…');
    await userEvent.keyboard('{Escape}');
    await blockFromMenu('grace');
    serverSends(socket, { type: 'blocked', handle: 'grace' });
    expect(menuItems(await openActions('grace'))).toEqual(expect.arrayContaining(['Unmute', 'Unblock']));
  });
});

describe('list-blocks', () => {
  it('is asked once on connecting, not again after a reconnect', async () => {
    const socket = await inRoom();
    expect(sentActions(socket)).toEqual(['on-enter-room', 'list-blocks']);
    act(() => socket.drop());
    const next = await socketNumber(2);
    act(() => next.open());
    serverSends(next, roomFrame({ username: 'ada', members: ['ada', 'bob'] }));
    expect(sentActions(next)).toEqual(['on-enter-room']);
  });
});

describe("the account's Blocked users", () => {
  it('lists whom the user blocks, in this room or not, and unblocks each', async () => {
    const socket = await inRoom({ blocked: ['bob', 'mallory'] });
    const menu = await openMenu();
    const section = blockedUsers(menu);
    expect(within(section).getByRole('heading', { name: 'Blocked users' })).toBeInTheDocument();
    expect(blockedList(section)).toEqual(['bob', 'mallory']);

    await userEvent.click(within(section).getByRole('button', { name: 'Unblock mallory' }));
    expect(socket.lastSent()).toEqual({ action: 'unblock-user', handle: 'mallory' });
    expect(within(section).getByRole('button', { name: 'Unblock mallory' })).toBeDisabled();
    serverSends(socket, { type: 'unblocked', handle: 'mallory' });
    expect(blockedList(blockedUsers(menu))).toEqual(['bob']);
    expect(within(blockedUsers(menu)).getByRole('status')).toHaveTextContent('Messages from mallory show again after the page reloads');
    for (const list of memberLists()) expect(within(list).queryByRole('status')).toBeNull(); // said where it was asked

    expect(document.activeElement).toHaveAccessibleName('Blocked users'); // its button went with its row
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('navigation', { name: 'Menu' })).toBeNull();
    await blockFromMenu('grace');
    serverSends(socket, { type: 'blocked', handle: 'grace' });
    expect(blockedList(blockedUsers(await openMenu()))).toEqual(['bob', 'grace']);
  });

  it('says when the user blocks nobody', async () => {
    await inRoom();
    expect(within(blockedUsers(await openMenu())).getByText(/^You block nobody/)).toBeInTheDocument();
  });

  it('says while the list is on its way, and when it could not be had, with a way to ask again', async () => {
    const socket = await inRoom({ blocked: null });
    const menu = await openMenu();
    expect(within(blockedUsers(menu)).getByText('Loading the people you block…')).toBeInTheDocument();
    serverSends(socket, { type: 'error', code: 'busy', message: 'busy' });
    expect(within(blockedUsers(menu)).getByRole('alert')).toHaveTextContent(`The people you block could not be listed: ${errorText('busy')}`);
    await userEvent.click(within(blockedUsers(menu)).getByRole('button', { name: 'Try again' }));
    expect(socket.lastSent()).toEqual({ action: 'list-blocks' });
    serverSends(socket, { type: 'blocks', handles: ['bob'] });
    expect(blockedList(blockedUsers(menu))).toEqual(['bob']);
  });

  it.each(['unknown_handle', 'rate_limited', 'busy'])('says %s from Unblock there, not in the member list', async (code) => {
    const socket = await inRoom({ blocked: ['bob'] });
    const menu = await openMenu();
    await userEvent.click(within(blockedUsers(menu)).getByRole('button', { name: 'Unblock bob' }));
    serverSends(socket, { type: 'error', code, message: 'no' });
    const alert = within(blockedUsers(menu)).getByRole('alert');
    expect(alert).toHaveTextContent(`Could not unblock bob: ${errorText(code)}`);
    expect(alert.querySelector('bdi')).toHaveTextContent('bob');
    for (const list of memberLists()) expect(within(list).queryByRole('alert')).toBeNull();
    expect(blockedList(blockedUsers(menu))).toEqual(['bob']);
  });
});

describe("a blocked user's messages", () => {
  it('leave the timeline once the chat blocks them, and stay out after unblocking until a reload', async () => {
    const history = [chatMessage(1, { username: 'bob' }), chatMessage(2, { username: 'grace' }), chatMessage(3, { username: 'bob' })];
    const socket = await inRoom({ history });
    expect(shownAuthors()).toEqual(['bob', 'grace', 'bob']);
    await blockFromMenu('bob');
    serverSends(socket, { type: 'blocked', handle: 'bob' });
    expect(shownAuthors()).toEqual(['grace']);
    expect(screen.queryByText('message 1')).toBeNull();

    await userEvent.click(within(await openActions('bob')).getByRole('menuitem', { name: 'Unblock' }));
    serverSends(socket, { type: 'unblocked', handle: 'bob' });
    expect(shownAuthors()).toEqual(['grace']); // not fetched again
    expect(within(memberList()).getByRole('status')).toHaveTextContent('Messages from bob show again after the page reloads');
  });

  it("are a signed-in user's only: a guest's stay (sign-in optional)", async () => {
    const history = [chatMessage(1, { username: 'bob', guest: true }), chatMessage(2, { username: 'grace' })];
    await inRoom({ authMode: 'optional', members: ['ada', 'grace'], history, blocked: ['bob', 'grace'] });
    expect(shownAuthors()).toEqual(['bob']);
  });
});

describe('Block refused', () => {
  it.each(['cannot_block', 'too_many_blocks', 'unknown_handle', 'rate_limited', 'busy'])(
    "with %s is said by the member list in the contract's words, for whom it was asked",
    async (code) => {
      const socket = await inRoom();
      await blockFromMenu('grace');
      serverSends(socket, { type: 'error', code, message: 'no' });
      const alert = within(memberList()).getByRole('alert');
      expect(alert).toHaveTextContent(`Could not block grace: ${errorText(code)}`);
      expect(alert.querySelector('bdi')).toHaveTextContent('grace');
      expect(menuItems(await openActions('grace'))).toEqual(['Block…']); // not blocked
      expect(screen.getByRole('textbox', { name: 'Message' })).toBeInTheDocument(); // still in the room
      await userEvent.keyboard('{Escape}');
      await blockFromMenu('bob');
      expect(within(memberList()).queryByRole('alert')).toBeNull(); // a new try clears it
    },
  );

  it('with no answer says so', async () => {
    const socket = await inRoom();
    await blockFromMenu('grace');
    act(() => socket.drop());
    expect(within(memberList()).getByRole('alert')).toHaveTextContent(`Could not block grace: ${NO_REPLY_TEXT}`);
  });
});

describe('nothing of blocking', () => {
  it('for a guest where sign-in is optional', async () => {
    withSignIn('optional');
    localStorage.setItem(NAME_KEY, 'Zoë');
    window.history.replaceState(null, '', '/lobby');
    render(<App />);
    const socket = await socketNumber(1);
    act(() => socket.open());
    serverSends(socket, roomFrame({ username: 'Zoë', members: ['Zoë', 'bob'] }));
    expect(actionButtons()).toEqual([]);
    expect(within(await openMenu()).queryByRole('region', { name: 'Blocked users' })).toBeNull();
    expect(sentActions(socket)).toEqual(['on-enter-room']);
  });

  it('where sign-in is off', async () => {
    serveConfig({});
    localStorage.setItem(NAME_KEY, 'Zoë');
    window.history.replaceState(null, '', '/lobby');
    render(<App />);
    const socket = await socketNumber(1);
    act(() => socket.open());
    serverSends(socket, roomFrame({ username: 'Zoë', members: ['Zoë', 'bob'] }));
    expect(actionButtons()).toEqual([]);
    expect(within(await openMenu()).queryByRole('region', { name: 'Blocked users' })).toBeNull();
    expect(sentActions(socket)).toEqual(['on-enter-room']);
  });
});
