import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/components/App';
import { FakeWebSocket, chatMessage, roomFrame } from './fakeWebSocket';

const NAME_KEY = 'serverless-chat.username';
const GUEST_KEY_KEY = 'serverless-chat.guest-key';

function openPage(path: string): void {
  window.history.replaceState(null, '', path);
  render(<App />);
}

/** Opens /lobby as a returning user named Alice, with the server answering the entry. */
async function openLobby(frame: Record<string, unknown> = {}): Promise<FakeWebSocket> {
  localStorage.setItem(NAME_KEY, 'Alice');
  openPage('/lobby');
  const socket = await connectionOpened();
  act(() => {
    socket.open();
    socket.receive(roomFrame(frame));
  });
  return socket;
}

/** The page's WebSocket, once the chat has started (after /config.json has loaded). */
async function connectionOpened(): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
  return FakeWebSocket.latest();
}

function serverSends(socket: FakeWebSocket, frame: object): void {
  act(() => socket.receive(frame));
}

function messageItems(): HTMLElement[] {
  return within(screen.getByRole('log', { name: 'Messages' })).queryAllByRole('listitem');
}

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ websocketUrl: 'ws://localhost:3001' }), { status: 200 })),
  );
  return () => vi.unstubAllGlobals();
});

describe('the start page', () => {
  it('offers a generated readable room id and a start button', () => {
    openPage('/');
    const roomInput = screen.getByRole<HTMLInputElement>('textbox', { name: 'Room name' });
    expect(roomInput.value).toMatch(/^[a-z]+-[a-z]+-[0-9a-hjkmnp-tv-z]{13}$/);
    expect(screen.getByRole('button', { name: 'Start chatting' })).toBeEnabled();
  });

  it('will not start a room whose name the server would refuse', async () => {
    openPage('/');
    const roomInput = screen.getByRole('textbox', { name: 'Room name' });
    await userEvent.clear(roomInput);
    await userEvent.type(roomInput, 'no/slashes');
    expect(screen.getByRole('button', { name: 'Start chatting' })).toBeDisabled();
    expect(screen.getByText(/only letters, digits/)).toBeInTheDocument();
  });
});

describe('an invalid room address', () => {
  it('gets a friendly page with a way out', () => {
    openPage('/not%20a%20room');
    expect(screen.getByRole('heading', { name: 'There is no room at this address' })).toBeInTheDocument();
    expect(screen.getByText('not a room')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toHaveAttribute('href', '/');
  });
});

describe('the display name', () => {
  it('is asked on the first visit, pre-filled, then remembered and used to enter the room', async () => {
    openPage('/lobby');
    const nameInput = screen.getByRole<HTMLInputElement>('textbox', { name: 'Display name' });
    expect(nameInput.value).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    await userEvent.clear(nameInput);
    await userEvent.type(nameInput, 'Zoë{Enter}');

    const socket = await connectionOpened();
    expect(localStorage.getItem(NAME_KEY)).toBe('Zoë');
    act(() => socket.open());
    expect(socket.url).toBe('ws://localhost:3001');
    expect(socket.lastSent()).toEqual({
      action: 'on-enter-room',
      groupId: 'lobby',
      username: 'Zoë',
      guestKey: localStorage.getItem(GUEST_KEY_KEY),
    });
  });

  it('refuses an empty name', async () => {
    openPage('/lobby');
    await userEvent.clear(screen.getByRole('textbox', { name: 'Display name' }));
    await userEvent.click(screen.getByRole('button', { name: 'Enter the room' }));
    expect(screen.getByText('Enter a name.')).toBeInTheDocument();
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('refuses a name that would reorder or hide text, as the chat would, and sends nothing', async () => {
    openPage('/lobby');
    const nameInput = screen.getByRole('textbox', { name: 'Display name' });
    await userEvent.clear(nameInput);
    await userEvent.type(nameInput, 'Ada\u202E{Enter}');
    expect(screen.getByText('A name cannot hold bidi controls (U+202E).')).toBeInTheDocument();
    await userEvent.clear(nameInput);
    await userEvent.type(nameInput, '\u3164{Enter}');
    expect(screen.getByText('A name cannot hold blank fillers (U+3164).')).toBeInTheDocument();
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(localStorage.getItem(NAME_KEY)).toBeNull();
  });

  it('asks again for a remembered name the chat would now refuse', async () => {
    localStorage.setItem(NAME_KEY, 'Ada\u200B');
    openPage('/lobby');
    expect(screen.getByRole('textbox', { name: 'Display name' })).toBeInTheDocument();
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('is changed from the hamburger menu, which re-enters the room under the new name', async () => {
    const socket = await openLobby();
    const menuButton = screen.getByRole('button', { name: 'Menu' });
    await userEvent.click(menuButton);
    expect(menuButton).toHaveAttribute('aria-expanded', 'true');

    const nameInput = screen.getByRole('textbox', { name: 'Display name' });
    expect(nameInput).toHaveFocus();
    await userEvent.clear(nameInput);
    await userEvent.type(nameInput, 'Alicia{Enter}');
    expect(socket.lastSent()).toEqual({
      action: 'on-enter-room',
      groupId: 'lobby',
      username: 'Alicia',
      afterSeq: 0,
      guestKey: localStorage.getItem(GUEST_KEY_KEY),
    });
    expect(menuButton).toHaveFocus();

    serverSends(socket, roomFrame({ username: 'Alicia', members: ['Alicia', 'Bob'] }));
    expect(localStorage.getItem(NAME_KEY)).toBe('Alicia');
  });

  it('closes the menu with Escape', async () => {
    await openLobby();
    await userEvent.click(screen.getByRole('button', { name: 'Menu' }));
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('navigation', { name: 'Menu' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Menu' })).toHaveFocus();
  });

  it('closes the menu on a press outside it, and toggles it from its button', async () => {
    await openLobby();
    const menuButton = screen.getByRole('button', { name: 'Menu' });
    await userEvent.click(menuButton);
    await userEvent.click(screen.getByRole('log', { name: 'Messages' }));
    expect(screen.queryByRole('navigation', { name: 'Menu' })).not.toBeInTheDocument();

    await userEvent.click(menuButton);
    expect(screen.getByRole('navigation', { name: 'Menu' })).toBeInTheDocument();
    await userEvent.click(menuButton);
    expect(screen.queryByRole('navigation', { name: 'Menu' })).not.toBeInTheDocument();
  });
});

describe('the chat', () => {
  it('shows history, own messages apart from others with name and time, and system lines', async () => {
    const socket = await openLobby({
      history: [
        chatMessage(1, { username: 'Bob', message: 'hi Alice' }),
        chatMessage(2, { username: 'Alice', message: 'hi Bob', isOwnMessage: true }),
      ],
    });
    serverSends(socket, { type: 'presence', event: 'rename', username: 'Robert', previousUsername: 'Bob', memberCount: 2 });

    const [fromBob, fromMe, renameLine] = messageItems();
    expect(fromBob).toHaveTextContent('Bob');
    expect(fromBob).toHaveTextContent('hi Alice');
    expect(fromBob).not.toHaveClass('own');
    expect(within(fromBob!).getByText(/\d{2}:\d{2}/).tagName).toBe('TIME');
    expect(fromMe).toHaveClass('own');
    expect(fromMe).toHaveTextContent('hi Bob');
    expect(renameLine).toHaveTextContent('Bob is now Robert');
  });

  it('tells of members who left together on one line', async () => {
    const socket = await openLobby();
    serverSends(socket, { type: 'presence', event: 'leave', username: 'Bob', usernames: ['Bob', 'Carol'], memberCount: 1 });
    serverSends(socket, { type: 'presence', event: 'leave', username: 'D', usernames: ['D', 'E', 'F', 'G', 'H'], memberCount: 1 });
    const [two, five] = messageItems();
    expect(two).toHaveTextContent('Bob and Carol left');
    expect(five).toHaveTextContent('D, E and 3 others left');
  });

  it('shows text as text, never as HTML, and makes links safe', async () => {
    const socket = await openLobby();
    serverSends(socket, {
      type: 'message',
      ...chatMessage(1, { message: '<img src=x onerror=alert(1)> see https://example.com' }),
    });
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(log.querySelector('img')).toBeNull();
    expect(log).toHaveTextContent('<img src=x onerror=alert(1)> see https://example.com');
    const link = within(log).getByRole('link', { name: 'https://example.com' });
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(link).toHaveAttribute('target', '_blank');
  });

  it('shows the real host beside a link whose text only looks like it', async () => {
    const socket = await openLobby();
    serverSends(socket, {
      type: 'message',
      ...chatMessage(1, { message: 'log in at https://\u0430pple.com/login or https://apple.com/help' }),
    });
    const log = screen.getByRole('log', { name: 'Messages' });
    const lookAlike = within(log).getByRole('link', { name: 'https://\u0430pple.com/login (xn--pple-43d.com)' });
    expect(lookAlike).toHaveAttribute('href', 'https://xn--pple-43d.com/login');
    expect(within(log).getByRole('link', { name: 'https://apple.com/help' })).toHaveAttribute(
      'href',
      'https://apple.com/help',
    );
  });

  it('sends with Enter, makes a new line with Shift+Enter, and shows the message as sending', async () => {
    const socket = await openLobby();
    const input = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.type(input, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(input).toHaveValue('line one\nline two');
    expect(socket.sentFrames().filter((frame) => frame.action === 'on-message')).toEqual([]);

    await userEvent.keyboard('{Enter}');
    expect(socket.lastSent()).toMatchObject({ action: 'on-message', groupId: 'lobby', message: 'line one\nline two' });
    expect(input).toHaveValue('');
    expect(input).toHaveFocus();
    expect(messageItems()[0]).toHaveTextContent('Sending…');

    const { clientMessageId } = socket.lastSent() as { clientMessageId: string };
    serverSends(socket, {
      type: 'message',
      ...chatMessage(1, { username: 'Alice', message: 'line one\nline two', isOwnMessage: true, clientMessageId }),
    });
    expect(messageItems()).toHaveLength(1);
    expect(messageItems()[0]).not.toHaveTextContent('Sending…');
  });

  it('counts code points near the 2,000 limit and will not send past it', async () => {
    await openLobby();
    const input = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.click(input);
    await userEvent.paste('a'.repeat(1_700));
    expect(screen.queryByText(/\/ 2,000/)).not.toBeInTheDocument();

    await userEvent.paste('😀'.repeat(300)); // 600 UTF-16 units, 300 code points
    expect(screen.getByText('2,000 / 2,000')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();

    await userEvent.paste('!');
    expect(screen.getByText('2,001 / 2,000 — 1 too many')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });

  it("shows the server's errors next to the input in plain words, and marks the message unsent", async () => {
    const socket = await openLobby();
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'hello{Enter}');
    const { clientMessageId } = socket.lastSent() as { clientMessageId: string };
    serverSends(socket, { type: 'error', code: 'rate_limited', message: 'rate limited', clientMessageId });

    expect(screen.getByRole('alert')).toHaveTextContent('You are sending messages too fast. Wait a moment and try again.');
    expect(messageItems()[0]).toHaveTextContent('Not sent');
    await userEvent.click(screen.getByRole('button', { name: 'Send again' }));
    expect(socket.lastSent()).toMatchObject({ action: 'on-message', message: 'hello', clientMessageId });
  });

  it("handles API Gateway's Internal server error frame", async () => {
    const socket = await openLobby();
    serverSends(socket, { message: 'Internal server error', connectionId: 'abc=', requestId: 'r-1' });
    expect(screen.getByRole('alert')).toHaveTextContent('The server ran into a problem');
  });

  it('lists who is here and shows the connection state', async () => {
    localStorage.setItem(NAME_KEY, 'Alice');
    openPage('/lobby');
    const socket = await connectionOpened();
    expect(screen.getByRole('status')).toHaveTextContent('Connecting…');
    act(() => {
      socket.open();
      socket.receive(roomFrame({ members: ['Bob', 'Alice'] }));
    });
    expect(screen.getByRole('status')).toHaveTextContent('Online');
    const panel = screen.getByRole('region', { name: 'In this room (2)' });
    expect(within(panel).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['Alice (you)', 'Bob']);

    act(() => socket.drop());
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting…');
  });

  it('keeps the reading position when scrolled up and offers a button to the new messages', async () => {
    const socket = await openLobby({ history: [chatMessage(1)] });
    const log = screen.getByRole('log', { name: 'Messages' });
    Object.defineProperty(log, 'scrollHeight', { configurable: true, value: 2_000 });
    Object.defineProperty(log, 'clientHeight', { configurable: true, value: 500 });
    log.scrollTop = 200;
    act(() => log.dispatchEvent(new Event('scroll')));

    serverSends(socket, { type: 'message', ...chatMessage(2) });
    serverSends(socket, { type: 'presence', event: 'join', username: 'Carol', memberCount: 3 });
    serverSends(socket, { type: 'message', ...chatMessage(3) });
    expect(log.scrollTop).toBe(200);
    const jump = screen.getByRole('button', { name: /2 new messages/ });

    await userEvent.click(jump);
    expect(log.scrollTop).toBe(2_000);
    expect(screen.queryByRole('button', { name: /new messages/ })).not.toBeInTheDocument();
  });

  it('follows new messages while at the bottom', async () => {
    const socket = await openLobby();
    const log = screen.getByRole('log', { name: 'Messages' });
    Object.defineProperty(log, 'scrollHeight', { configurable: true, value: 2_000 });
    serverSends(socket, { type: 'message', ...chatMessage(1) });
    expect(log.scrollTop).toBe(2_000);
    expect(screen.queryByRole('button', { name: /new message/ })).not.toBeInTheDocument();
  });
});

/** The text of every element in `element` that is isolated from the text around it (`<bdi>` or `dir="auto"`). */
function isolatedTexts(element: HTMLElement): string[] {
  return [...element.querySelectorAll('bdi, [dir="auto"]')].map((isolated) => isolated.textContent ?? '');
}

/** U+202E RIGHT-TO-LEFT OVERRIDE: unisolated, it would flip everything after it on the line ("detfel" for "left"). */
const RLO = '\u202E';

describe('names and messages with bidi controls or right-to-left text', () => {
  it('isolate every name on the presence lines, so " joined", " left" and " is now " read as written', async () => {
    const socket = await openLobby();
    serverSends(socket, { type: 'presence', event: 'join', username: `${RLO}evil`, memberCount: 2 });
    serverSends(socket, { type: 'presence', event: 'rename', username: 'דנה', previousUsername: `${RLO}evil`, memberCount: 2 });
    serverSends(socket, { type: 'presence', event: 'rename', username: `${RLO}x`, memberCount: 2 });
    serverSends(socket, {
      type: 'presence',
      event: 'leave',
      username: 'دانا',
      usernames: ['دانا', `${RLO}b`, 'c', 'd'],
      memberCount: 1,
    });

    const [joined, renamed, renamedUnknown, left] = messageItems();
    expect(joined).toHaveTextContent(`${RLO}evil joined`);
    expect(isolatedTexts(joined!)).toEqual([`${RLO}evil`]);
    expect(renamed).toHaveTextContent(`${RLO}evil is now דנה`);
    expect(isolatedTexts(renamed!)).toEqual([`${RLO}evil`, 'דנה']);
    expect(renamedUnknown).toHaveTextContent(`${RLO}x changed their name`);
    expect(isolatedTexts(renamedUnknown!)).toEqual([`${RLO}x`]);
    expect(left).toHaveTextContent(`دانا, ${RLO}b and 2 others left`);
    expect(isolatedTexts(left!)).toEqual(['دانا', `${RLO}b`]);
  });

  it("isolate a message's author and its text from each other and from the time", async () => {
    const socket = await openLobby({
      history: [chatMessage(1, { username: `${RLO}Mallory`, message: `${RLO}txet` })],
    });
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), `${RLO}mine{Enter}`);

    const [fromMallory, sending] = messageItems();
    expect(fromMallory).toHaveTextContent(`${RLO}Mallory`);
    expect(isolatedTexts(fromMallory!)).toEqual([`${RLO}Mallory`, `${RLO}txet`]);
    expect(fromMallory!.querySelector('bdi time, [dir="auto"] time')).toBeNull();
    expect(isolatedTexts(sending!)).toEqual([`${RLO}mine`]);
    expect(socket.lastSent()).toMatchObject({ action: 'on-message', message: `${RLO}mine` });
  });

  it('isolate each name in the member list and the own name in the header', async () => {
    // The page refuses a bidi control in its own name, as the chat does; a name from the room is shown as it comes.
    localStorage.setItem(NAME_KEY, 'עדה');
    openPage('/lobby');
    const socket = await connectionOpened();
    act(() => {
      socket.open();
      socket.receive(roomFrame({ username: 'עדה', members: ['עדה', `${RLO}mallory`, 'بوب'] }));
    });
    const panel = screen.getByRole('region', { name: 'In this room (3)' });
    const items = within(panel).getAllByRole('listitem');
    const [own, mallory, bob] = ['עדה', 'mallory', 'بوب'].map((name) => items.find((item) => item.textContent?.includes(name)));
    expect(isolatedTexts(own!)).toEqual(['עדה']);
    expect(own).toHaveTextContent('עדה (you)');
    expect(isolatedTexts(mallory!)).toEqual([`${RLO}mallory`]);
    expect(isolatedTexts(bob!)).toEqual(['بوب']);

    const header = screen.getByRole('banner');
    expect(isolatedTexts(header)).toEqual(['lobby', 'עדה']);
    expect(screen.getByRole('heading', { level: 1, name: 'lobby' })).toHaveAttribute('dir', 'auto');
  });

  it('isolate what an invalid address asked for', () => {
    openPage(`/${encodeURIComponent(`${RLO}moor`)}`);
    const explanation = screen.getByText(/can’t be a room name/);
    expect(isolatedTexts(explanation)).toEqual([`${RLO}moor`]);
  });
});

describe('who is sending', () => {
  it("sends this browser's guest key on entering, and the same one after a reload", async () => {
    const socket = await openLobby();
    const guestKey = localStorage.getItem(GUEST_KEY_KEY);
    expect(guestKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(socket.sentFrames()[0]).toMatchObject({ action: 'on-enter-room', groupId: 'lobby', guestKey });

    cleanup(); // a reload: the page goes, localStorage stays
    FakeWebSocket.reset();
    openPage('/lobby');
    const reloaded = await connectionOpened();
    act(() => reloaded.open());

    expect(reloaded.sentFrames()[0]).toMatchObject({ action: 'on-enter-room', guestKey });
  });
});

describe('older messages', () => {
  it('are offered when the room holds more than its latest page, and loaded on request', async () => {
    const socket = await openLobby({ history: [chatMessage(51)], more: true });
    await userEvent.click(screen.getByRole('button', { name: 'Show older messages' }));
    expect(socket.lastSent()).toMatchObject({ action: 'on-enter-room', groupId: 'lobby', beforeSeq: 51 });

    act(() => socket.receive(roomFrame({ history: [chatMessage(50)], more: false })));
    expect(messageItems().map((item) => item.textContent)).toEqual([
      expect.stringContaining('message 50'),
      expect.stringContaining('message 51'),
    ]);
    expect(screen.queryByRole('button', { name: 'Show older messages' })).toBeNull();
  });

  it('are not offered when the latest page is all there is', async () => {
    await openLobby({ history: [chatMessage(1)], more: false });
    expect(screen.queryByRole('button', { name: 'Show older messages' })).toBeNull();
  });
});

describe('when /config.json is missing', () => {
  it('says the chat could not start', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('not found', { status: 404 })));
    localStorage.setItem(NAME_KEY, 'Alice');
    openPage('/lobby');
    expect(await screen.findByRole('heading', { name: 'The chat could not start' })).toBeInTheDocument();
  });
});
