import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACK_TIMEOUT_MS,
  ChatClient,
  ENTER_TIMEOUT_MS,
  MAX_NAME_VARIANTS,
  MAX_TIMELINE_ITEMS,
  PONG_TIMEOUT_MS,
  type ChatState,
  type MessageEntry,
} from '../src/chat/chatClient';
import { PING_INTERVAL_MS } from '../src/limits';
import { FakeWebSocket, chatMessage, roomFrame } from './fakeWebSocket';

let client: ChatClient;
let ids: number;
const GUEST_KEY = 'AAECAwQFBgcICQoLDA0ODw';

function createClient(random = () => 0.5): ChatClient {
  client = new ChatClient({
    websocketUrl: 'wss://chat.example/test',
    roomId: 'lobby',
    username: 'Alice',
    guestKey: GUEST_KEY,
    createSocket: (url) => new FakeWebSocket(url),
    random,
    newClientMessageId: () => `cid-${++ids}`,
  });
  client.start();
  return client;
}

/** Opens the latest socket and answers its `on-enter-room` with a `room` frame. */
function enter(frame: Record<string, unknown> = {}): FakeWebSocket {
  const socket = FakeWebSocket.latest();
  socket.open();
  socket.receive(roomFrame(frame));
  return socket;
}

function state(): ChatState {
  return client.getState();
}

function shownMessages(): string[] {
  return state()
    .timeline.filter((entry): entry is MessageEntry => entry.kind === 'message')
    .map((entry) => entry.message.message);
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
  ids = 0;
});

afterEach(() => {
  client.stop();
  vi.useRealTimers();
});

describe('entering a room', () => {
  it('connects to the configured URL and asks to enter with the room and name, without afterSeq the first time', () => {
    createClient();
    const socket = FakeWebSocket.latest();
    expect(socket.url).toBe('wss://chat.example/test');
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sentFrames()).toEqual([{ action: 'on-enter-room', groupId: 'lobby', username: 'Alice', guestKey: GUEST_KEY }]);
    expect(state().status).toBe('connecting');
  });

  it('goes online with the members, the confirmed name and the history from the room frame', () => {
    createClient();
    enter({ username: 'Alice', members: ['Alice', 'Bob'], history: [chatMessage(1), chatMessage(2)] });
    expect(state().status).toBe('online');
    expect(state().members).toEqual(['Alice', 'Bob']);
    expect(state().username).toBe('Alice');
    expect(shownMessages()).toEqual(['message 1', 'message 2']);
  });

  it('takes the name the server assigned', () => {
    createClient();
    enter({ username: 'guest-1234' });
    expect(state().username).toBe('guest-1234');
  });

  it('gives up on a handshake that hangs and tries again', () => {
    createClient();
    vi.advanceTimersByTime(ENTER_TIMEOUT_MS);
    expect(FakeWebSocket.latest().readyState).toBe(FakeWebSocket.CLOSED);
    vi.advanceTimersByTime(1_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('drops the socket and tries again when no room frame arrives in time', () => {
    createClient();
    FakeWebSocket.latest().open();
    vi.advanceTimersByTime(ENTER_TIMEOUT_MS);
    expect(FakeWebSocket.latest().readyState).toBe(FakeWebSocket.CLOSED);
    vi.advanceTimersByTime(1_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});

describe('messages', () => {
  it('shows messages in seq order, whatever order they arrive in', () => {
    createClient();
    const socket = enter({ history: [chatMessage(1)] });
    socket.receive({ type: 'message', ...chatMessage(3) });
    socket.receive({ type: 'message', ...chatMessage(2) });
    expect(shownMessages()).toEqual(['message 1', 'message 2', 'message 3']);
  });

  it('shows a message delivered twice only once', () => {
    createClient();
    const socket = enter({ history: [chatMessage(1)] });
    socket.receive({ type: 'message', ...chatMessage(1) });
    socket.receive({ type: 'message', ...chatMessage(2) });
    socket.receive({ type: 'message', ...chatMessage(2) });
    expect(shownMessages()).toEqual(['message 1', 'message 2']);
  });

  it('sends with a clientMessageId and replaces the pending line by the echoed message', () => {
    createClient();
    const socket = enter();
    client.send('hello');
    expect(socket.lastSent()).toEqual({ action: 'on-message', groupId: 'lobby', message: 'hello', clientMessageId: 'cid-1' });
    expect(state().outbox).toMatchObject([{ text: 'hello', state: 'sending' }]);

    socket.receive({ type: 'message', ...chatMessage(1, { message: 'hello', username: 'Alice', isOwnMessage: true, clientMessageId: 'cid-1' }) });
    expect(state().outbox).toEqual([]);
    expect(state().timeline).toMatchObject([{ kind: 'message', message: { message: 'hello', isOwnMessage: true } }]);
  });

  it('queues what is sent before the room frame and sends it only once the room frame has arrived', () => {
    createClient();
    const socket = FakeWebSocket.latest();
    client.send('typed while connecting');
    socket.open();
    expect(socket.sentFrames().map((frame) => frame.action)).toEqual(['on-enter-room']);
    expect(state().outbox).toMatchObject([{ state: 'queued' }]);

    socket.receive(roomFrame());
    expect(socket.lastSent()).toEqual({
      action: 'on-message',
      groupId: 'lobby',
      message: 'typed while connecting',
      clientMessageId: 'cid-1',
    });
  });

  it('marks a message the server refused as unsent, says why, and resends it under the same clientMessageId', () => {
    createClient();
    const socket = enter();
    client.send('x'.repeat(10));
    socket.receive({ type: 'error', code: 'message_too_long', message: 'too long', clientMessageId: 'cid-1' });
    expect(state().outbox).toMatchObject([{ state: 'unsent', failure: expect.stringContaining('too long') }]);
    expect(state().error).toMatch(/too long.*2,000 characters/);

    client.retry('cid-1');
    expect(socket.lastSent()).toMatchObject({ action: 'on-message', clientMessageId: 'cid-1' });
    expect(state().outbox).toMatchObject([{ state: 'sending' }]);
  });

  it('marks a message unsent when no echo comes back in time', () => {
    createClient();
    enter();
    client.send('anyone?');
    vi.advanceTimersByTime(ACK_TIMEOUT_MS);
    expect(state().outbox).toMatchObject([{ state: 'unsent', failure: 'No reply from the server.' }]);
  });

  it('discards an unsent message', () => {
    createClient();
    const socket = enter();
    client.send('oops');
    socket.receive({ type: 'error', code: 'rate_limited', message: 'slow down', clientMessageId: 'cid-1' });
    client.discard('cid-1');
    expect(state().outbox).toEqual([]);
  });

  it("treats API Gateway's Internal server error as a failure of what was in flight", () => {
    createClient();
    const socket = enter();
    client.send('hello');
    socket.receive({ message: 'Internal server error', connectionId: 'abc=', requestId: 'req-1' });
    expect(state().outbox).toMatchObject([{ state: 'unsent' }]);
    expect(state().error).toMatch(/server ran into a problem/);
  });

  it('re-enters the room and resends when the server says the connection is not in the room', () => {
    createClient();
    const socket = enter();
    client.send('hello');
    socket.receive({ type: 'error', code: 'not_in_room', message: 'enter first', clientMessageId: 'cid-1' });
    expect(socket.lastSent()).toMatchObject({ action: 'on-enter-room', groupId: 'lobby', afterSeq: 0 });
    expect(state().outbox).toMatchObject([{ state: 'queued' }]);
    expect(state().status).toBe('reconnecting'); // filling what was missed, not in the room yet
    socket.receive(roomFrame());
    expect(state().status).toBe('online');
    expect(socket.lastSent()).toMatchObject({ action: 'on-message', message: 'hello', clientMessageId: 'cid-1' });
    expect(state().error).toBeNull();
  });
});

describe('across a reload', () => {
  it('keeps what the server has not confirmed and sends it again under the same clientMessageId', () => {
    createClient();
    enter();
    client.send('sent just before the reload');
    client.stop();

    createClient(); // the reloaded page
    expect(state().outbox).toMatchObject([{ text: 'sent just before the reload', state: 'queued' }]);
    const socket = enter();
    expect(socket.lastSent()).toMatchObject({ action: 'on-message', clientMessageId: 'cid-1' });

    socket.receive({ type: 'message', ...chatMessage(1, { message: 'sent just before the reload', clientMessageId: 'cid-1' }) });
    expect(state().timeline).toMatchObject([{ message: { isOwnMessage: true } }]);
    client.stop();
    createClient();
    expect(state().outbox).toEqual([]);
  });
});

describe('a connection the server forgot', () => {
  it('is replaced by a new one, which sends again what was refused', () => {
    createClient();
    const socket = enter();
    client.send('hello');
    socket.receive({ type: 'error', code: 'not_connected', message: 'reconnect', clientMessageId: 'cid-1' });
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    expect(state().outbox).toMatchObject([{ state: 'queued' }]);

    vi.advanceTimersByTime(1_000);
    expect(enter().lastSent()).toMatchObject({ action: 'on-message', message: 'hello', clientMessageId: 'cid-1' });
  });
});

describe('presence and names', () => {
  it('keeps the member list and adds system lines for join, leave and rename', () => {
    createClient();
    const socket = enter({ members: ['Alice', 'Bob'] });
    socket.receive({ type: 'presence', event: 'join', username: 'Carol', memberCount: 3 });
    socket.receive({ type: 'presence', event: 'rename', username: 'Robert', previousUsername: 'Bob', memberCount: 3 });
    socket.receive({ type: 'presence', event: 'leave', username: 'Carol', memberCount: 2 });
    expect(state().members).toEqual(['Alice', 'Robert']);
    expect(state().timeline).toMatchObject([
      { kind: 'presence', event: 'join', username: 'Carol' },
      { kind: 'presence', event: 'rename', username: 'Robert', previousUsername: 'Bob' },
      { kind: 'presence', event: 'leave', username: 'Carol' },
    ]);
  });

  it('removes every member a single leave names, on one system line', () => {
    createClient();
    const socket = enter({ members: ['Alice', 'Bob', 'Carol', 'Dave'] });
    socket.receive({ type: 'presence', event: 'leave', username: 'Bob', usernames: ['Bob', 'Carol', 'Dave'], memberCount: 1 });
    expect(state().members).toEqual(['Alice']);
    expect(state().timeline).toMatchObject([{ kind: 'presence', event: 'leave', usernames: ['Bob', 'Carol', 'Dave'] }]);
  });

  it('places a system line after the messages that came before it', () => {
    createClient();
    const socket = enter({ history: [chatMessage(1)] });
    socket.receive({ type: 'presence', event: 'join', username: 'Carol', memberCount: 3 });
    socket.receive({ type: 'message', ...chatMessage(2) });
    expect(state().timeline.map((entry) => entry.kind)).toEqual(['message', 'presence', 'message']);
  });

  it('renames by entering again with the new name and the last seq', () => {
    createClient();
    const socket = enter({ history: [chatMessage(1)] });
    client.rename('Alicia');
    expect(socket.lastSent()).toEqual({
      action: 'on-enter-room',
      groupId: 'lobby',
      username: 'Alicia',
      afterSeq: 1,
      guestKey: GUEST_KEY,
    });
    socket.receive(roomFrame({ username: 'Alicia', members: ['Alicia', 'Bob'] }));
    expect(state().username).toBe('Alicia');
    expect(state().members).toEqual(['Alicia', 'Bob']);
  });

  it('keeps the old name when the server refuses the new one', () => {
    createClient();
    const socket = enter();
    client.rename('bad name');
    socket.receive({ type: 'error', code: 'invalid_username', message: 'invalid username' });
    expect(state().username).toBe('Alice');
    expect(state().error).toMatch(/name can't be used/);

    socket.drop();
    vi.advanceTimersByTime(1_000);
    FakeWebSocket.latest().open();
    expect(FakeWebSocket.latest().lastSent()).toMatchObject({ username: 'Alice' });
  });

  it('enters under the server\'s numbered variant when its name is taken in the room, and says so', () => {
    createClient();
    const socket = FakeWebSocket.latest();
    socket.open();
    socket.receive({ type: 'error', code: 'name_taken', message: 'taken', suggestedUsername: 'Alice 2' });
    expect(socket.lastSent()).toEqual({ action: 'on-enter-room', groupId: 'lobby', username: 'Alice 2', guestKey: GUEST_KEY });
    socket.receive(roomFrame({ username: 'Alice 2', members: ['alice', 'Alice 2'] }));
    expect(state().username).toBe('Alice 2');
    expect(state().status).toBe('online');
    expect(state().error).toBe('Someone in this room has a name that looks like “Alice”, so you are “Alice 2” here.');
  });

  it('takes a few variants at most, then says the name is taken', () => {
    createClient();
    const socket = FakeWebSocket.latest();
    socket.open();
    for (let n = 2; n <= 2 + MAX_NAME_VARIANTS; n += 1) {
      socket.receive({ type: 'error', code: 'name_taken', message: 'taken', suggestedUsername: `Alice ${n}` });
    }
    expect(socket.sent).toHaveLength(1 + MAX_NAME_VARIANTS);
    expect(state().error).toBe(`Someone in this room has a name that looks like “Alice ${1 + MAX_NAME_VARIANTS}”. Try “Alice ${2 + MAX_NAME_VARIANTS}”.`);
  });

  it('keeps its name when a rename is taken in the room, and offers the variant', () => {
    createClient();
    const socket = enter();
    client.rename('Bob');
    socket.receive({ type: 'error', code: 'name_taken', message: 'taken', suggestedUsername: 'Bob 2' });
    expect(state().username).toBe('Alice');
    expect(state().error).toBe('Someone in this room has a name that looks like “Bob”. Try “Bob 2”.');
    expect(socket.sent).toHaveLength(2); // nothing sent again by itself
    socket.drop();
    vi.advanceTimersByTime(1_000);
    FakeWebSocket.latest().open();
    expect(FakeWebSocket.latest().lastSent()).toMatchObject({ username: 'Alice' });
  });

  it('keeps its name when the server refuses a rename as too frequent, and says how long to wait', () => {
    createClient();
    const socket = enter();
    client.rename('Alicia');
    socket.receive({ type: 'error', code: 'rate_limited', message: 'too many renames', retryAfterMs: 29_001 });
    expect(state().username).toBe('Alice');
    expect(state().error).toBe('You have changed your name too often. Try again in 30 s.');
    expect(state().status).toBe('online');
  });
});

describe('reconnecting', () => {
  it('reconnects after a drop with exponential backoff and jitter', () => {
    createClient(() => 0.5);
    enter();
    FakeWebSocket.latest().drop();
    expect(state().status).toBe('reconnecting');

    vi.advanceTimersByTime(499); // half of the first 1 s ceiling
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(2);

    FakeWebSocket.latest().drop(); // the second try fails too: the ceiling doubles
    vi.advanceTimersByTime(999);
    expect(FakeWebSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(3);

    enter();
    expect(state().status).toBe('online');
    FakeWebSocket.latest().drop(); // success resets the backoff
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.instances).toHaveLength(4);
  });

  it('doubles the wait after each failed try, never beyond 30 s', () => {
    createClient(() => 0.999);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      FakeWebSocket.latest().drop();
      const droppedAt = Date.now();
      vi.advanceTimersToNextTimer();
      delays.push(Date.now() - droppedAt);
    }
    expect(FakeWebSocket.instances).toHaveLength(9);
    expect(delays).toEqual([999, 1_998, 3_996, 7_992, 15_984, 29_970, 29_970, 29_970]);
  });

  it('re-enters with afterSeq = the last seq, and takes the page of what it missed', () => {
    createClient();
    enter({ history: [chatMessage(1), chatMessage(2)] });
    FakeWebSocket.latest().drop();
    vi.advanceTimersByTime(1_000);

    const socket = FakeWebSocket.latest();
    socket.open();
    expect(socket.lastSent()).toEqual({ action: 'on-enter-room', groupId: 'lobby', username: 'Alice', afterSeq: 2, guestKey: GUEST_KEY });
    socket.receive(roomFrame({ history: [chatMessage(3), chatMessage(4)], more: false }));
    expect(socket.sentFrames()).toHaveLength(1);
    expect(shownMessages()).toEqual(['message 1', 'message 2', 'message 3', 'message 4']);
    expect(state().olderMessages).toBe(false);
  });

  it('back after missing more than a page, shows the latest page at once and offers the older ones', () => {
    createClient();
    enter({ history: [chatMessage(1), chatMessage(2)] });
    FakeWebSocket.latest().drop();
    vi.advanceTimersByTime(1_000);
    const socket = FakeWebSocket.latest();
    socket.open();

    expect(socket.lastSent()).toMatchObject({ action: 'on-enter-room', afterSeq: 2 });
    expect(state().status).toBe('reconnecting');
    socket.receive(roomFrame({ history: [chatMessage(3), chatMessage(4)], more: true })); // 3 to 52 and more
    expect(socket.lastSent()).toEqual({ action: 'on-enter-room', groupId: 'lobby', username: 'Alice', guestKey: GUEST_KEY });
    expect(state().status).toBe('reconnecting'); // still entering, for the latest page
    client.send('queued until the latest page');
    expect(socket.sentFrames()).toHaveLength(2);
    socket.receive(roomFrame({ history: [chatMessage(900), chatMessage(901)], more: true }));
    expect(state().status).toBe('online');
    expect(socket.lastSent()).toMatchObject({ action: 'on-message', message: 'queued until the latest page' });

    const entries = socket.sentFrames().filter((frame) => frame.action === 'on-enter-room');
    expect(entries).toHaveLength(2); // not one request per page missed
    expect(shownMessages()).toEqual(['message 900', 'message 901']);
    expect(state().olderMessages).toBe(true);
    client.loadOlder();
    expect(socket.lastSent()).toEqual({ action: 'on-enter-room', groupId: 'lobby', username: 'Alice', beforeSeq: 900, guestKey: GUEST_KEY });
    socket.receive(roomFrame({ history: [chatMessage(898), chatMessage(899)], more: true }));
    expect(shownMessages()).toEqual(['message 898', 'message 899', 'message 900', 'message 901']);
  });

  it('asks for older messages again when the server says pages come too fast', () => {
    createClient();
    const socket = enter({ history: [chatMessage(51)], more: true });
    expect(state().olderMessages).toBe(true);

    client.loadOlder();
    client.loadOlder(); // one at a time
    expect(socket.sentFrames()).toHaveLength(2);
    socket.receive({ type: 'error', code: 'rate_limited', message: 'Too many requests', retryAfterMs: 700 });
    expect(state().error).toBeNull();
    vi.advanceTimersByTime(699);
    expect(socket.sentFrames()).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(socket.lastSent()).toMatchObject({ action: 'on-enter-room', beforeSeq: 51 });
    socket.receive(roomFrame({ history: [chatMessage(50)], more: false }));
    expect(shownMessages()).toEqual(['message 50', 'message 51']);
    expect(state().olderMessages).toBe(false);
    client.loadOlder();
    expect(socket.sentFrames()).toHaveLength(3); // nothing older to ask for
  });

  it('keeps the timeline within its limit and never sorts it, whatever a room floods it with', () => {
    createClient();
    const socket = enter({ history: [chatMessage(1)] });
    const sort = vi.spyOn(Array.prototype, 'sort');
    for (let line = 0; line < 20_000; line += 1) {
      socket.receive({ type: 'presence', event: 'join', username: `bot${line}`, memberCount: 2 });
    }
    socket.receive({ type: 'message', ...chatMessage(3) });
    socket.receive({ type: 'message', ...chatMessage(2) }); // late: in its place, not at the end
    expect(sort).not.toHaveBeenCalled();
    sort.mockRestore();

    const timeline = state().timeline;
    expect(timeline).toHaveLength(MAX_TIMELINE_ITEMS);
    expect(timeline.filter((entry) => entry.kind === 'message').map((entry) => entry.key)).toEqual([
      'message-msg-2',
      'message-msg-3',
    ]);
    expect(state().olderMessages).toBe(true); // message 1 went: it can come back
  });

  it('enters afresh when the room has no message as far as its afterSeq (the room was reset)', () => {
    createClient();
    enter({ history: [chatMessage(1), chatMessage(2), chatMessage(3)] });
    FakeWebSocket.latest().drop();
    vi.advanceTimersByTime(1_000);

    const socket = FakeWebSocket.latest();
    socket.open();
    expect(socket.lastSent()).toMatchObject({ afterSeq: 3 });
    socket.receive({ type: 'error', code: 'invalid_after_seq', message: 'beyond the last message (seq 1)' });
    expect(socket.lastSent()).toEqual({ action: 'on-enter-room', groupId: 'lobby', username: 'Alice', guestKey: GUEST_KEY });
    socket.receive(roomFrame({ history: [chatMessage(1, { id: 'new-1', message: 'new life 1' })] }));
    expect(state().status).toBe('online');
    expect(state().error).toBeNull();

    socket.drop();
    vi.advanceTimersByTime(1_000);
    FakeWebSocket.latest().open();
    expect(FakeWebSocket.latest().lastSent()).toMatchObject({ afterSeq: 1 }); // the new life's seqs
  });

  it('does not skip a message still missing when a later one arrived first', () => {
    createClient();
    const socket = enter({ history: [chatMessage(1)] });
    socket.receive({ type: 'message', ...chatMessage(3) }); // seq 2 is still on its way
    socket.drop();
    vi.advanceTimersByTime(1_000);
    FakeWebSocket.latest().open();
    expect(FakeWebSocket.latest().lastSent()).toMatchObject({ afterSeq: 1 });
  });

  it('does not page on a first entry, where more means older history', () => {
    createClient();
    const socket = enter({ history: [chatMessage(51)], more: true });
    expect(socket.sentFrames()).toHaveLength(1);
  });

  it('sends again, under the same clientMessageId, what was in flight when the connection dropped', () => {
    createClient();
    enter();
    client.send('are you there?');
    FakeWebSocket.latest().drop();
    expect(state().outbox).toMatchObject([{ state: 'queued' }]);
    client.send('typed while offline');

    vi.advanceTimersByTime(1_000);
    const socket = enter();
    const messages = socket.sentFrames().filter((frame) => frame.action === 'on-message');
    expect(messages).toEqual([
      { action: 'on-message', groupId: 'lobby', message: 'are you there?', clientMessageId: 'cid-1' },
      { action: 'on-message', groupId: 'lobby', message: 'typed while offline', clientMessageId: 'cid-2' },
    ]);
  });

  it('reconnects at once when the network comes back or the tab wakes up', () => {
    createClient(() => 0.999);
    enter();
    FakeWebSocket.latest().drop();
    expect(FakeWebSocket.instances).toHaveLength(1); // the backoff is running

    window.dispatchEvent(new Event('online'));
    expect(FakeWebSocket.instances).toHaveLength(2);

    FakeWebSocket.latest().drop();
    document.dispatchEvent(new Event('visibilitychange'));
    expect(FakeWebSocket.instances).toHaveLength(3);
  });

  it('checks an open connection when the tab wakes up and replaces it if it stays silent', () => {
    createClient();
    const socket = enter();
    document.dispatchEvent(new Event('visibilitychange'));
    expect(socket.lastSent()).toEqual({ action: 'ping' });
    vi.advanceTimersByTime(PONG_TIMEOUT_MS);
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    expect(state().status).toBe('reconnecting');
  });

  it('stops trying once stopped', () => {
    createClient();
    enter();
    FakeWebSocket.latest().drop();
    client.stop();
    vi.advanceTimersByTime(60_000);
    window.dispatchEvent(new Event('online'));
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('tries again later when the room is full', () => {
    createClient();
    const socket = FakeWebSocket.latest();
    socket.open();
    socket.receive({ type: 'error', code: 'room_full', message: 'room is full' });
    expect(state().error).toMatch(/room is full/);
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    vi.advanceTimersByTime(1_000);
    enter();
    expect(state().error).toBeNull();
  });

  it("tries again when entering fails with API Gateway's Internal server error", () => {
    createClient();
    const socket = FakeWebSocket.latest();
    socket.open();
    socket.receive({ message: 'Internal server error', connectionId: 'abc=', requestId: 'req-1' });
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    vi.advanceTimersByTime(1_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});

describe('staying connected', () => {
  it('pings after a few idle minutes and keeps the connection when the pong comes', () => {
    createClient();
    const socket = enter();
    vi.advanceTimersByTime(PING_INTERVAL_MS - 1);
    expect(socket.lastSent()).toMatchObject({ action: 'on-enter-room' });
    vi.advanceTimersByTime(1);
    expect(socket.lastSent()).toEqual({ action: 'ping' });
    socket.receive({ type: 'pong' });
    vi.advanceTimersByTime(PONG_TIMEOUT_MS);
    expect(socket.readyState).toBe(FakeWebSocket.OPEN);
    vi.advanceTimersByTime(PING_INTERVAL_MS);
    expect(socket.sentFrames().filter((frame) => frame.action === 'ping')).toHaveLength(2);
  });

  it('does not ping while the user is sending', () => {
    createClient();
    const socket = enter();
    vi.advanceTimersByTime(PING_INTERVAL_MS - 1_000);
    client.send('still here');
    vi.advanceTimersByTime(PING_INTERVAL_MS - 1_000);
    expect(socket.sentFrames().some((frame) => frame.action === 'ping')).toBe(false);
  });

  it('reconnects quietly when API Gateway closes the connection at its 2-hour limit', () => {
    createClient();
    enter({ history: [chatMessage(7)] });
    FakeWebSocket.latest().drop();
    vi.advanceTimersByTime(1_000);
    enter();
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(state().status).toBe('online');
    expect(state().error).toBeNull();
  });
});
