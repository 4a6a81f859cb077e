// The chat client's side of blocking: list-blocks, block-user and unblock-user with their answers,
// the set of blocked handles, the blocked user's messages hidden from the timeline, and errors
// given to the waiting action (beside the private rooms' actions).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTION_TIMEOUT_MS, ChatClient, OFFLINE_ACTION_TEXT, type ChatState } from '../src/chat/chatClient';
import { NO_REPLY_TEXT, errorText } from '../src/chat/errorText';
import { FakeWebSocket, chatMessage, roomFrame } from './fakeWebSocket';

let client: ChatClient;

function enter(history: ReturnType<typeof chatMessage>[] = []): FakeWebSocket {
  client = new ChatClient({
    websocketUrl: 'wss://chat.example/test',
    roomId: 'lobby',
    username: 'ada',
    guestKey: 'AAECAwQFBgcICQoLDA0ODw',
    createSocket: (url) => new FakeWebSocket(url),
    random: () => 0.5,
  });
  client.start();
  const socket = FakeWebSocket.latest();
  socket.open();
  socket.receive(roomFrame({ username: 'ada', members: ['ada', 'bob', 'grace'], history }));
  return socket;
}

function state(): ChatState {
  return client.getState();
}

function authors(): string[] {
  return state().timeline.flatMap((entry) => (entry.kind === 'message' ? [entry.message.username] : []));
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});

afterEach(() => {
  client.stop();
  vi.useRealTimers();
});

describe('the list of blocks', () => {
  it('is asked with list-blocks and kept in alphabetical order, each handle once', () => {
    const socket = enter();
    expect(state().blocks).toEqual({ handles: [], listed: false, pending: [], error: null, unblocked: null });
    client.listBlocks();
    expect(socket.lastSent()).toEqual({ action: 'list-blocks' });
    expect(state().blocks.pending).toEqual([{ action: 'list-blocks', handle: null }]);
    socket.receive({ type: 'blocks', handles: ['grace', 'Bob', 'bob'] });
    expect(state().blocks).toMatchObject({ handles: ['Bob', 'grace'], listed: true, pending: [] });
  });

  it('follows blocked and unblocked, comparing handles whatever their case', () => {
    const socket = enter();
    client.listBlocks();
    socket.receive({ type: 'blocks', handles: ['grace'] });
    client.blockUser('bob');
    expect(socket.lastSent()).toEqual({ action: 'block-user', handle: 'bob' });
    expect(state().blocks.pending).toEqual([{ action: 'block-user', handle: 'bob' }]);
    socket.receive({ type: 'blocked', handle: 'bob' });
    expect(state().blocks).toMatchObject({ handles: ['bob', 'grace'], pending: [], error: null });
    client.blockUser('BOB');
    socket.receive({ type: 'blocked', handle: 'BOB' });
    expect(state().blocks.handles).toEqual(['bob', 'grace']);

    client.unblockUser('Grace');
    expect(socket.lastSent()).toEqual({ action: 'unblock-user', handle: 'Grace' });
    socket.receive({ type: 'unblocked', handle: 'Grace' });
    expect(state().blocks).toMatchObject({ handles: ['bob'], pending: [], unblocked: 'Grace' });
    client.blockUser('grace');
    expect(state().blocks.unblocked).toBe('Grace'); // until grace is blocked again
    socket.receive({ type: 'blocked', handle: 'grace' });
    expect(state().blocks.unblocked).toBeNull();
  });

  it('settles the waiting action about the handle answered', () => {
    const socket = enter();
    client.blockUser('bob');
    client.blockUser('grace');
    socket.receive({ type: 'blocked', handle: 'grace' });
    expect(state().blocks.pending).toEqual([{ action: 'block-user', handle: 'bob' }]);
  });
});

describe("a blocked user's messages", () => {
  it('leave the timeline at once, and later ones sent before the block are kept out', () => {
    const socket = enter([chatMessage(1), chatMessage(2, { username: 'grace' }), chatMessage(3)]);
    expect(authors()).toEqual(['Bob', 'grace', 'Bob']);
    client.blockUser('bob');
    expect(authors()).toEqual(['Bob', 'grace', 'Bob']); // not before the chat has it
    socket.receive({ type: 'blocked', handle: 'bob' });
    expect(authors()).toEqual(['grace']);
    socket.receive({ type: 'message', ...chatMessage(4) }); // crossed the block on the way
    socket.receive({ type: 'message', ...chatMessage(5, { username: 'grace' }) });
    expect(authors()).toEqual(['grace', 'grace']);
  });

  it('stay hidden after unblocking (a reload shows them), while new ones show again', () => {
    const socket = enter([chatMessage(1)]);
    client.blockUser('bob');
    socket.receive({ type: 'blocked', handle: 'bob' });
    client.unblockUser('bob');
    socket.receive({ type: 'unblocked', handle: 'bob' });
    expect(authors()).toEqual([]);
    socket.receive({ type: 'message', ...chatMessage(2) });
    expect(authors()).toEqual(['Bob']);
  });

  it("are hidden for those the list of blocks names, but never a guest's or one's own", () => {
    const socket = enter([
      chatMessage(1),
      chatMessage(2, { username: 'bob', guest: true }),
      chatMessage(3, { username: 'ada', isOwnMessage: true }),
    ]);
    client.listBlocks();
    socket.receive({ type: 'blocks', handles: ['bob', 'ada'] });
    expect(authors()).toEqual(['bob', 'ada']);
  });
});

describe('a blocking action refused', () => {
  it.each([
    ['cannot_block', 'block-user'],
    ['too_many_blocks', 'block-user'],
    ['unknown_handle', 'block-user'],
    ['unknown_handle', 'unblock-user'],
    ['rate_limited', 'unblock-user'],
    ['busy', 'block-user'],
    ['not_signed_in', 'block-user'],
    ['invalid_username', 'unblock-user'],
  ] as const)('with %s says so for the action it answers (%s), and the room goes on', (code, action) => {
    const socket = enter();
    if (action === 'block-user') client.blockUser('bob');
    else client.unblockUser('bob');
    socket.receive({ type: 'error', code, message: 'no' });
    expect(state().blocks).toMatchObject({ pending: [], error: { action, handle: 'bob', text: errorText(code) }, handles: [] });
    expect(state()).toMatchObject({ status: 'online', error: null });
    expect(state().privateRooms.error).toBeNull();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("is not taken for a private room's action, nor one of those for it", () => {
    const socket = enter();
    client.addMember('grace');
    client.blockUser('bob');
    socket.receive({ type: 'error', code: 'cannot_block', message: 'no' });
    expect(state().blocks.error).toMatchObject({ action: 'block-user', handle: 'bob' });
    expect(state().privateRooms).toMatchObject({ pending: ['add-member'], error: null });
    client.blockUser('grace');
    socket.receive({ type: 'error', code: 'not_room_owner', message: 'no' });
    expect(state().privateRooms).toMatchObject({ pending: [], error: { action: 'add-member' } });
    expect(state().blocks.pending).toEqual([{ action: 'block-user', handle: 'grace' }]);
  });

  it('gives busy to the oldest action waiting, whichever kind it is', () => {
    const socket = enter();
    client.unblockUser('bob');
    client.listRooms();
    socket.receive({ type: 'error', code: 'busy', message: 'busy' });
    expect(state().blocks.error).toMatchObject({ action: 'unblock-user', text: errorText('busy') });
    expect(state().privateRooms.pending).toEqual(['list-rooms']);
    socket.receive({ type: 'error', code: 'busy', message: 'busy' });
    expect(state().privateRooms.error).toMatchObject({ action: 'list-rooms' });
  });

  it('says there was no reply when none comes in time, or the connection drops', () => {
    const socket = enter();
    client.blockUser('bob');
    client.listRooms();
    vi.advanceTimersByTime(ACTION_TIMEOUT_MS);
    expect(state().blocks).toMatchObject({ pending: [], error: { action: 'block-user', handle: 'bob', text: NO_REPLY_TEXT } });
    expect(state().privateRooms).toMatchObject({ pending: [], error: { action: 'list-rooms', text: NO_REPLY_TEXT } });

    client.unblockUser('grace');
    socket.drop();
    expect(state().blocks).toMatchObject({ pending: [], error: { action: 'unblock-user', handle: 'grace', text: NO_REPLY_TEXT } });
    client.blockUser('bob'); // offline now
    expect(state().blocks).toMatchObject({ pending: [], error: { action: 'block-user', handle: 'bob', text: OFFLINE_ACTION_TEXT } });
    expect(socket.lastSent()).toEqual({ action: 'unblock-user', handle: 'grace' });
    expect(FakeWebSocket.instances).toHaveLength(1); // no new socket yet
  });
});
