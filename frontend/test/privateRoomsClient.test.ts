// The chat client's side of private rooms: the invite on entry, a refused entry, and the owner's
// actions, each answered to this connection alone.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTION_TIMEOUT_MS, ChatClient, OFFLINE_ACTION_TEXT, type ChatState } from '../src/chat/chatClient';
import { NO_REPLY_TEXT, errorText } from '../src/chat/errorText';
import { FakeWebSocket, roomFrame } from './fakeWebSocket';

const ROOM = '~Qh7v0c2mXbT9yLkR4sW1aZ';
const CODE = 'd3JpdGUtbWUtYS1jb2RlMA';
const OTHER_CODE = 'b3RoZXItaW52aXRlLWNvZA';

let client: ChatClient;

function createClient(options: { invite?: string; onInviteUsed?: () => void } = {}): ChatClient {
  client = new ChatClient({
    websocketUrl: 'wss://chat.example/test',
    roomId: ROOM,
    username: 'ada',
    guestKey: 'AAECAwQFBgcICQoLDA0ODw',
    createSocket: (url) => new FakeWebSocket(url),
    random: () => 0.5,
    ...options,
  });
  client.start();
  return client;
}

function enter(): FakeWebSocket {
  const socket = FakeWebSocket.latest();
  socket.open();
  socket.receive(roomFrame({ roomId: ROOM, username: 'ada', members: ['ada'] }));
  return socket;
}

function state(): ChatState {
  return client.getState();
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});

afterEach(() => {
  client.stop();
  vi.useRealTimers();
});

describe('an invite', () => {
  it('is sent on each entry until the room frame comes, then dropped and reported used', () => {
    const onInviteUsed = vi.fn();
    createClient({ invite: CODE, onInviteUsed });
    const first = FakeWebSocket.latest();
    first.open();
    expect(first.lastSent()).toMatchObject({ action: 'on-enter-room', groupId: ROOM, invite: CODE });

    first.drop(); // before the room frame: the next entry still carries it
    vi.runOnlyPendingTimers();
    const second = FakeWebSocket.latest();
    second.open();
    expect(second.lastSent()).toMatchObject({ action: 'on-enter-room', invite: CODE });
    expect(onInviteUsed).not.toHaveBeenCalled();

    second.receive(roomFrame({ roomId: ROOM, username: 'ada' }));
    expect(onInviteUsed).toHaveBeenCalledOnce();
    client.rename('Ada');
    expect(second.lastSent()).toMatchObject({ action: 'on-enter-room', username: 'Ada' });
    expect(second.lastSent()).not.toHaveProperty('invite');

    second.drop();
    vi.runOnlyPendingTimers();
    const third = FakeWebSocket.latest();
    third.open();
    expect(third.lastSent()).not.toHaveProperty('invite');
    expect(onInviteUsed).toHaveBeenCalledOnce();
  });

  it('is not in the frame of an entry without one', () => {
    createClient();
    const socket = FakeWebSocket.latest();
    socket.open();
    expect(socket.lastSent()).not.toHaveProperty('invite');
  });
});

describe('a private room that does not let the user in', () => {
  it.each(['not_invited', 'invalid_invite'])('is refused for good on %s: the client stops, no retry', (code) => {
    const onInviteUsed = vi.fn();
    createClient({ invite: CODE, onInviteUsed });
    const socket = FakeWebSocket.latest();
    socket.open();
    socket.receive({ type: 'error', code, message: 'private' });
    expect(state().refused).toBe(code);
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    vi.advanceTimersByTime(10 * 60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.sentFrames().filter((frame) => frame.action === 'on-enter-room')).toHaveLength(1);
    expect(onInviteUsed).not.toHaveBeenCalled();
  });
});

describe("the private rooms' actions", () => {
  it('creates a room and reports its id', () => {
    createClient();
    const socket = enter();
    client.createRoom();
    expect(socket.lastSent()).toEqual({ action: 'create-room' });
    expect(state().privateRooms.pending).toEqual(['create-room']);
    socket.receive({ type: 'room_created', roomId: '~AAAAAAAAAAAAAAAAAAAAAA' });
    expect(state().privateRooms).toMatchObject({ createdRoomId: '~AAAAAAAAAAAAAAAAAAAAAA', pending: [] });
  });

  it('lists the rooms with their role', () => {
    createClient();
    const socket = enter();
    client.listRooms();
    expect(socket.lastSent()).toEqual({ action: 'list-rooms' });
    socket.receive({ type: 'rooms', rooms: [{ roomId: ROOM, role: 'owner' }] });
    expect(state().privateRooms.rooms).toEqual([{ roomId: ROOM, role: 'owner' }]);
  });

  it('creates, lists and revokes invites of this room, keeping the list soonest-first', () => {
    createClient();
    const socket = enter();
    client.listInvites();
    expect(socket.lastSent()).toEqual({ action: 'list-invites', roomId: ROOM });
    socket.receive({ type: 'invites', roomId: ROOM, invites: [{ code: OTHER_CODE, expiresAt: '2026-01-09T00:00:00.000Z' }] });

    client.createInvite(86400);
    expect(socket.lastSent()).toEqual({ action: 'create-invite', roomId: ROOM, expiresInSeconds: 86400 });
    socket.receive({ type: 'invite', roomId: ROOM, code: CODE, expiresAt: '2026-01-02T00:00:00.000Z' });
    expect(state().privateRooms.newInvite).toEqual({ code: CODE, expiresAt: '2026-01-02T00:00:00.000Z' });
    expect(state().privateRooms.invites?.map((invite) => invite.code)).toEqual([CODE, OTHER_CODE]);

    client.createInvite();
    expect(socket.lastSent()).toEqual({ action: 'create-invite', roomId: ROOM }); // the chat's default lifetime

    client.revokeInvite(CODE);
    expect(socket.lastSent()).toEqual({ action: 'revoke-invite', roomId: ROOM, code: CODE });
    socket.receive({ type: 'invites', roomId: ROOM, invites: [{ code: OTHER_CODE, expiresAt: '2026-01-09T00:00:00.000Z' }] });
    expect(state().privateRooms.invites).toEqual([{ code: OTHER_CODE, expiresAt: '2026-01-09T00:00:00.000Z' }]);
    expect(state().privateRooms.newInvite).toBeNull(); // the one just made was revoked
    expect(state().privateRooms.pending).toEqual(['create-invite']);
  });

  it('adds a member by handle', () => {
    createClient();
    const socket = enter();
    client.addMember('grace');
    expect(socket.lastSent()).toEqual({ action: 'add-member', roomId: ROOM, handle: 'grace' });
    socket.receive({ type: 'member_added', roomId: ROOM, handle: 'Grace' });
    expect(state().privateRooms.addedMember).toBe('Grace');
  });

  it('ignores answers about another room, or to nothing asked', () => {
    createClient();
    const socket = enter();
    socket.receive({ type: 'rooms', rooms: [{ roomId: ROOM, role: 'owner' }] });
    client.listInvites();
    socket.receive({ type: 'invites', roomId: '~BBBBBBBBBBBBBBBBBBBBBB', invites: [] });
    expect(state().privateRooms).toMatchObject({ rooms: null, invites: null, pending: ['list-invites'] });
  });

  it.each([
    ['unknown_handle', 'add-member'],
    ['not_room_owner', 'create-invite'],
    ['too_many_invites', 'create-invite'],
    ['too_many_rooms', 'create-room'],
    ['not_signed_in', 'list-rooms'],
    ['busy', 'list-invites'],
    ['invalid_username', 'add-member'],
  ] as const)('shows %s in plain words for the action it answers, and stays in the room', (code, action) => {
    createClient();
    const socket = enter();
    const send = {
      'add-member': () => client.addMember('nobody'),
      'create-invite': () => client.createInvite(),
      'create-room': () => client.createRoom(),
      'list-rooms': () => client.listRooms(),
      'list-invites': () => client.listInvites(),
    }[action];
    send();
    socket.receive({ type: 'error', code, message: 'no' });
    expect(state().privateRooms).toMatchObject({ pending: [], error: { action, text: errorText(code) } });
    expect(state()).toMatchObject({ status: 'online', refused: null, error: null });
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('gives an error to the oldest action its code can answer, not merely the oldest waiting', () => {
    createClient();
    const socket = enter();
    client.listInvites();
    client.addMember('nobody');
    socket.receive({ type: 'error', code: 'unknown_handle', message: 'no' });
    expect(state().privateRooms).toMatchObject({ pending: ['list-invites'], error: { action: 'add-member' } });
    socket.receive({ type: 'error', code: 'busy', message: 'busy' });
    expect(state().privateRooms).toMatchObject({ pending: [], error: { action: 'list-invites', text: errorText('busy') } });
  });

  it('leaves an error no waiting action can get to the room', () => {
    createClient();
    const socket = enter();
    client.listRooms();
    socket.receive({ type: 'error', code: 'unknown_handle', message: 'no' });
    expect(state().privateRooms).toMatchObject({ pending: ['list-rooms'], error: null });
    expect(state().error).toBe(errorText('unknown_handle'));
  });

  it('takes not_invited in the room for the answer to the action, not a refused entry', () => {
    createClient();
    const socket = enter();
    client.listInvites();
    socket.receive({ type: 'error', code: 'not_invited', message: 'no' });
    expect(state().refused).toBeNull();
    expect(state().privateRooms.error).toEqual({ action: 'list-invites', text: errorText('not_invited') });
  });

  it('says so when the chat does not answer in time, or the connection drops first', () => {
    createClient();
    const socket = enter();
    client.listRooms();
    vi.advanceTimersByTime(ACTION_TIMEOUT_MS);
    expect(state().privateRooms).toMatchObject({ pending: [], error: { action: 'list-rooms', text: NO_REPLY_TEXT } });

    client.createRoom();
    socket.drop();
    expect(state().privateRooms).toMatchObject({ pending: [], error: { action: 'create-room', text: NO_REPLY_TEXT } });
  });

  it('sends nothing while offline, and says why', () => {
    createClient();
    client.createRoom();
    expect(FakeWebSocket.latest().sent).toEqual([]);
    expect(state().privateRooms.error).toEqual({ action: 'create-room', text: OFFLINE_ACTION_TEXT });
  });
});
