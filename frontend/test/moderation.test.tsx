// Moderation in private rooms as the page shows it: the actions menu per member (the owner's and a
// moderator's), its frames and confirmations, the errors by the member list, the timeline's lines,
// the removed view, the muted notice, and one's own role as the moderation frames change it.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { clockTime, errorText, mutedText } from '../src/chat/errorText';
import { App } from '../src/components/App';
import { FakeWebSocket, roomFrame } from './fakeWebSocket';
import { fakeIdentityProvider, tokens } from './fakeIdentityProvider';

let pool: ReturnType<typeof fakeIdentityProvider>;
const cognitoProvider = vi.hoisted(() => vi.fn());
vi.mock('../src/auth/cognito', () => ({ cognitoProvider }));

const NAME_KEY = 'serverless-chat.username';
const ROOM = '~Qh7v0c2mXbT9yLkR4sW1aZ';
const MEMBERS = ['ada', 'grace', 'bob'];

function serveConfig(config: Record<string, unknown>): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ websocketUrl: 'wss://chat.example/production', ...config }), { status: 200 })),
  );
}

function signedIn(authMode: 'optional' | 'required' = 'required'): void {
  serveConfig({ authMode, userPoolId: 'us-east-1_Pool1', userPoolClientId: 'client-1' });
  pool.keep(tokens('kept-token', Math.floor(Date.now() / 1000)));
}

async function socketNumber(count: number): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(count), { timeout: 3000 });
  return FakeWebSocket.latest();
}

function serverSends(socket: FakeWebSocket, frame: Record<string, unknown>): void {
  act(() => socket.receive(frame));
}

/** Signed in as ada, in `roomId` with grace and bob, entered; in a private room, with `role` as list-rooms says. */
async function inRoom(roomId: string, role: 'owner' | 'moderator' | 'member' | null = 'owner'): Promise<FakeWebSocket> {
  signedIn();
  window.history.replaceState(null, '', `/${roomId}`);
  render(<App />);
  const socket = await socketNumber(1);
  act(() => socket.open());
  serverSends(socket, roomFrame({ roomId, username: 'ada', members: MEMBERS }));
  expect(socket.sentFrames()[1]).toEqual({ action: 'list-blocks' });
  serverSends(socket, { type: 'blocks', handles: [] });
  if (role !== null && roomId === ROOM) {
    expect(socket.lastSent()).toEqual({ action: 'list-rooms' });
    serverSends(socket, { type: 'rooms', rooms: [{ roomId: ROOM, role }] });
  }
  return socket;
}

function memberList(): HTMLElement {
  return screen.getByRole('region', { name: /In this room/ });
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

/** The members whose actions menu has moderation in it (a signed-in user's menu for every other signed-in member has blocking). */
async function moderated(): Promise<string[]> {
  const names: string[] = [];
  for (const label of actionButtons()) {
    const name = label.replace(/^Actions for /, '');
    const items = menuItems(await openActions(name));
    await userEvent.keyboard('{Escape}');
    if (items.includes('Unmute')) names.push(name);
  }
  return names;
}

function moderation(action: string, extra: Record<string, unknown> = {}) {
  return { type: 'moderation', roomId: ROOM, action, by: 'ada', target: 'grace', ...extra };
}

function moderationLines(): string[] {
  return [...document.querySelectorAll('.moderation-line')].map((line) => line.textContent ?? '');
}

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  pool = fakeIdentityProvider();
  cognitoProvider.mockReset();
  cognitoProvider.mockImplementation(() => pool.provider);
  return () => vi.unstubAllGlobals();
});

describe("the members' actions menu", () => {
  it("is the owner's for every member but herself, with every action", async () => {
    await inRoom(ROOM, 'owner');
    expect(actionButtons()).toEqual(['Actions for bob', 'Actions for grace']);
    const menu = await openActions('grace');
    expect(menuItems(menu)).toEqual([
      'Mute for 10 minutes',
      'Mute for 1 hour',
      'Mute for 1 day',
      'Unmute',
      'Make moderator',
      'Make member',
      'Remove from the room…',
      'Hand over ownership…',
      'Block…',
    ]);
    expect(menu).toContainElement(document.activeElement as HTMLElement); // the first item has the focus
  });

  it("is a moderator's without roles or hand-over, and not on those known to be the owner or moderators", async () => {
    const socket = await inRoom(ROOM, 'moderator');
    expect(actionButtons()).toEqual(['Actions for bob', 'Actions for grace']);
    expect(menuItems(await openActions('grace'))).toEqual(['Mute for 10 minutes', 'Mute for 1 hour', 'Mute for 1 day', 'Unmute', 'Remove from the room…', 'Block…']);
    await userEvent.keyboard('{Escape}');
    serverSends(socket, moderation('role_changed', { by: 'carol', target: 'grace', role: 'moderator' }));
    expect(await moderated()).toEqual(['bob']);
    expect(menuItems(await openActions('grace'))).toEqual(['Block…']); // blocking them all the same
    await userEvent.keyboard('{Escape}');
    expect(within(memberList()).getByText('grace').closest('li')).toHaveTextContent('grace moderator');
  });

  it.each([
    ['a member', ROOM, 'member'],
    ['a user whose role could not be learnt', ROOM, null],
    ['anyone in a public room', 'lobby', null],
  ] as const)('has no moderation for %s, only blocking', async (_, roomId, role) => {
    const socket = await inRoom(roomId, role);
    if (roomId === ROOM && role === null) serverSends(socket, { type: 'error', code: 'busy', message: 'busy' });
    expect(actionButtons()).toEqual(['Actions for bob', 'Actions for grace']);
    expect(await moderated()).toEqual([]);
    expect(menuItems(await openActions('bob'))).toEqual(['Block…']);
    if (roomId === 'lobby') expect(socket.sentFrames().map((frame) => frame.action)).toEqual(['on-enter-room', 'list-blocks']);
  });

  it('is not there where sign-in is off, even were a guest let into a private room', async () => {
    serveConfig({});
    localStorage.setItem(NAME_KEY, 'Zoë');
    window.history.replaceState(null, '', `/${ROOM}`);
    render(<App />);
    const socket = await socketNumber(1);
    act(() => socket.open());
    serverSends(socket, roomFrame({ roomId: ROOM, username: 'Zoë', members: ['Zoë', 'grace'] }));
    expect(actionButtons()).toEqual([]);
    expect(socket.sentFrames().map((frame) => frame.action)).toEqual(['on-enter-room']);
  });

  it("is in the menu's member list too (narrow screens), and Escape there closes only the actions", async () => {
    const socket = await inRoom(ROOM, 'owner');
    await userEvent.click(screen.getByRole('button', { name: 'Menu' }));
    const menu = screen.getByRole('navigation', { name: 'Menu' });
    await userEvent.click(within(menu).getByRole('button', { name: 'Actions for grace' }));
    await userEvent.keyboard('{Escape}');
    expect(within(menu).queryByRole('menu')).toBeNull();
    expect(screen.getByRole('navigation', { name: 'Menu' })).toBeInTheDocument();
    await userEvent.click(within(menu).getByRole('button', { name: 'Actions for grace' }));
    await userEvent.click(within(menu).getByRole('menuitem', { name: 'Unmute' }));
    expect(socket.lastSent()).toEqual({ action: 'mute-member', roomId: ROOM, handle: 'grace', seconds: 0 });
  });

  it('closes with Escape, giving the focus back to its button', async () => {
    await inRoom(ROOM, 'owner');
    await openActions('bob');
    await userEvent.keyboard('{ArrowDown}{ArrowDown}');
    expect(document.activeElement).toHaveTextContent('Mute for 1 day');
    await userEvent.keyboard('{Escape}');
    expect(within(memberList()).queryByRole('menu')).toBeNull();
    expect(document.activeElement).toHaveAccessibleName('Actions for bob');
    expect(screen.queryByRole('navigation', { name: 'Menu' })).toBeNull();
  });
});

describe('each action', () => {
  it.each([
    ['Mute for 10 minutes', { action: 'mute-member', roomId: ROOM, handle: 'grace', seconds: 600 }],
    ['Mute for 1 hour', { action: 'mute-member', roomId: ROOM, handle: 'grace', seconds: 3600 }],
    ['Mute for 1 day', { action: 'mute-member', roomId: ROOM, handle: 'grace', seconds: 86400 }],
    ['Unmute', { action: 'mute-member', roomId: ROOM, handle: 'grace', seconds: 0 }],
    ['Make moderator', { action: 'set-role', roomId: ROOM, handle: 'grace', role: 'moderator' }],
    ['Make member', { action: 'set-role', roomId: ROOM, handle: 'grace', role: 'member' }],
  ])('%s sends its frame at once and closes the menu', async (label, frame) => {
    const socket = await inRoom(ROOM, 'owner');
    await userEvent.click(within(await openActions('grace')).getByRole('menuitem', { name: label }));
    expect(socket.lastSent()).toEqual(frame);
    expect(within(memberList()).queryByRole('menu')).toBeNull();
  });

  it.each([
    ['Remove from the room…', 'Remove grace?', 'Remove', { action: 'remove-member', roomId: ROOM, handle: 'grace' }],
    ['Hand over ownership…', 'Hand the room over to grace?', 'Hand over', { action: 'hand-over', roomId: ROOM, handle: 'grace' }],
  ])('%s asks first: Cancel sends nothing, confirming sends its frame', async (label, question, confirm, frame) => {
    const socket = await inRoom(ROOM, 'owner');
    const sentBefore = socket.sent.length;
    await userEvent.click(within(await openActions('grace')).getByRole('menuitem', { name: label }));
    const ask = within(memberList()).getByRole('group', { name: question });
    expect(socket.sent).toHaveLength(sentBefore);
    await userEvent.click(within(ask).getByRole('button', { name: 'Cancel' }));
    expect(within(memberList()).queryByRole('group', { name: question })).toBeNull();
    expect(socket.sent).toHaveLength(sentBefore);

    await userEvent.click(within(await openActions('grace')).getByRole('menuitem', { name: label }));
    await userEvent.click(within(within(memberList()).getByRole('group', { name: question })).getByRole('button', { name: confirm }));
    expect(socket.lastSent()).toEqual(frame);
    expect(socket.sent).toHaveLength(sentBefore + 1);
  });

  it.each([
    ['cannot_moderate', 'Mute for 1 hour', 'Could not mute bob'],
    ['not_a_member', 'Unmute', 'Could not unmute bob'],
    ['not_moderator', 'Mute for 1 day', 'Could not mute bob'],
    ['not_room_owner', 'Make moderator', 'Could not make bob a moderator'],
    ['rate_limited', 'Make member', 'Could not make bob a member'],
    ['busy', 'Mute for 10 minutes', 'Could not mute bob'],
  ])(
    "refused with %s is said by the member list in the contract's words, with what was tried (%s)",
    async (code, label, tried) => {
      const socket = await inRoom(ROOM, 'owner');
      await userEvent.click(within(await openActions('bob')).getByRole('menuitem', { name: label }));
      serverSends(socket, { type: 'error', code, message: 'no' });
      const alert = within(memberList()).getByRole('alert');
      expect(alert).toHaveTextContent(`${tried}: ${errorText(code)}`);
      expect(alert.querySelector('bdi')).toHaveTextContent('bob');
      expect(screen.getByRole('textbox', { name: 'Message' })).toBeInTheDocument(); // still in the room
      await userEvent.click(within(await openActions('bob')).getByRole('menuitem', { name: 'Unmute' }));
      expect(within(memberList()).queryByRole('alert')).toBeNull(); // a new try clears it
    },
  );
});

describe("the timeline's moderation lines", () => {
  it('say who did what to whom, each name isolated', async () => {
    const socket = await inRoom(ROOM, 'member');
    const until = new Date(Date.now() + 10 * 60_000).toISOString();
    serverSends(socket, moderation('muted', { until }));
    serverSends(socket, moderation('unmuted'));
    serverSends(socket, moderation('removed'));
    serverSends(socket, moderation('role_changed', { role: 'moderator' }));
    serverSends(socket, moderation('role_changed', { role: 'member' }));
    serverSends(socket, moderation('handed_over'));
    expect(moderationLines()).toEqual([
      `ada muted grace until ${clockTime(new Date(until))}`,
      'ada unmuted grace',
      'ada removed grace',
      'ada made grace a moderator',
      'ada made grace a member',
      'ada handed the room over to grace',
    ]);
    for (const line of document.querySelectorAll('.moderation-line')) {
      expect([...line.querySelectorAll('bdi')].map((name) => name.textContent)).toEqual(['ada', 'grace']);
    }
    expect(document.querySelector('.moderation-line time')).toHaveAttribute('dateTime', until);
  });
});

describe('removed from the room', () => {
  it('says by whom, with a way home, and does not enter again', async () => {
    const socket = await inRoom(ROOM, 'member');
    serverSends(socket, { type: 'removed', roomId: ROOM, by: 'grace' });
    act(() => socket.drop()); // the chat closes it right after
    expect(screen.getByRole('heading', { name: /You are no longer in this room/ })).toBeInTheDocument();
    expect(screen.getByText(/You were removed from this room by/)).toHaveTextContent('You were removed from this room by grace.');
    expect(screen.getByText('grace').tagName).toBe('BDI');
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toHaveAttribute('href', '/');
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the first reconnect's longest wait
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.sentFrames().filter((frame) => frame.action === 'on-enter-room')).toHaveLength(1);
  });
});

describe('muted', () => {
  it('on sending: the composer says until when, the message is kept unsent, and unmuting clears it', async () => {
    const socket = await inRoom(ROOM, 'member');
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'hello?{Enter}');
    const sent = socket.lastSent();
    expect(sent).toMatchObject({ action: 'on-message', message: 'hello?' });
    const before = Date.now();
    serverSends(socket, { type: 'error', code: 'muted', message: 'muted', clientMessageId: sent?.clientMessageId, retryAfterMs: 600_000 });
    const notice = within(screen.getByRole('textbox', { name: 'Message' }).closest('form')!).getByText(/^You are muted in this room until /);
    expect(notice).toHaveAttribute('role', 'status');
    const until = new Date(before + 600_000);
    expect([mutedText(until), mutedText(new Date(until.getTime() + 60_000))]).toContain(notice.textContent); // a minute's edge
    expect(screen.getByText('Not sent')).toBeInTheDocument();
    expect(document.querySelector('.outgoing-failure')).toHaveTextContent(notice.textContent ?? '');
    expect(screen.getAllByText('hello?')).toHaveLength(1); // its text kept, once
    expect(screen.getByRole('button', { name: 'Send again' })).toBeInTheDocument();
    expect(socket.sentFrames().filter((frame) => frame.action === 'on-message')).toHaveLength(1);

    serverSends(socket, moderation('unmuted', { by: 'grace', target: 'ada' }));
    expect(document.querySelector('.composer-notice')).toBeNull();
    expect(screen.getByRole('button', { name: 'Send again' })).toBeInTheDocument(); // the user sends it when she wants
  });

  it('by a moderation frame about the user: said before any message is sent', async () => {
    const socket = await inRoom(ROOM, 'member');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    serverSends(socket, moderation('muted', { by: 'grace', target: 'ada', until }));
    expect(screen.getByText(/You are muted in this room/)).toHaveTextContent(mutedText(new Date(until)));
    serverSends(socket, moderation('muted', { by: 'grace', target: 'bob', until }));
    expect(screen.getAllByText(/You are muted in this room/)).toHaveLength(1);
  });
});

describe("one's own role", () => {
  it('shows as moderator in My rooms', async () => {
    const socket = await inRoom('lobby', null);
    await userEvent.click(screen.getByRole('button', { name: 'Menu' }));
    const menu = screen.getByRole('navigation', { name: 'Menu' });
    await userEvent.click(within(menu).getByRole('button', { name: 'My rooms' }));
    serverSends(socket, { type: 'rooms', rooms: [{ roomId: ROOM, role: 'moderator' }] });
    expect(within(within(menu).getByRole('list', { name: 'My rooms' })).getByRole('listitem')).toHaveTextContent(`🔒 ${ROOM} moderator`);
  });

  it('follows the moderation frames about the user: made a moderator, handed the room, handing it over', async () => {
    const socket = await inRoom(ROOM, 'member');
    expect(await moderated()).toEqual([]);
    expect(screen.queryByRole('button', { name: 'Invite' })).toBeNull();

    serverSends(socket, moderation('role_changed', { by: 'grace', target: 'ada', role: 'moderator' }));
    expect(await moderated()).toEqual(['bob']); // grace made ada a moderator: grace owns the room
    expect(menuItems(await openActions('bob'))).not.toContain('Make moderator');
    await userEvent.keyboard('{Escape}');

    serverSends(socket, moderation('handed_over', { by: 'grace', target: 'ada' }));
    expect(await moderated()).toEqual(['bob', 'grace']);
    expect(menuItems(await openActions('grace'))).toContain('Hand over ownership…');
    await userEvent.keyboard('{Escape}');
    expect(screen.getByRole('button', { name: 'Invite' })).toBeInTheDocument();

    serverSends(socket, moderation('handed_over', { by: 'ada', target: 'bob' }));
    expect(screen.queryByRole('button', { name: 'Invite' })).toBeNull();
    expect(await moderated()).toEqual([]); // bob owns it now, and grace is a moderator since she handed it to ada

    serverSends(socket, moderation('role_changed', { by: 'bob', target: 'grace', role: 'member' }));
    expect(await moderated()).toEqual(['grace']);
    expect(menuItems(await openActions('grace'))).not.toContain('Hand over ownership…');
    await userEvent.keyboard('{Escape}');

    serverSends(socket, moderation('role_changed', { by: 'bob', target: 'ada', role: 'member' }));
    expect(await moderated()).toEqual([]);
  });
});
