// The chat client's side of moderation in private rooms: the four actions, the `moderation` frames
// (timeline lines, the answer to one's own action, one's own role and mute), `removed` as final,
// and `muted` on sending.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatClient, type ChatState } from '../src/chat/chatClient';
import { errorText, mutedText } from '../src/chat/errorText';
import { FakeWebSocket, roomFrame } from './fakeWebSocket';

const ROOM = '~Qh7v0c2mXbT9yLkR4sW1aZ';
const OTHER_ROOM = '~BBBBBBBBBBBBBBBBBBBBBB';
const NOW = new Date('2026-01-01T12:00:00.000Z');

let client: ChatClient;

function enter(): FakeWebSocket {
  let ids = 0;
  client = new ChatClient({
    websocketUrl: 'wss://chat.example/test',
    roomId: ROOM,
    username: 'ada',
    guestKey: 'AAECAwQFBgcICQoLDA0ODw',
    createSocket: (url) => new FakeWebSocket(url),
    random: () => 0.5,
    newClientMessageId: () => `cid-${++ids}`,
  });
  client.start();
  const socket = FakeWebSocket.latest();
  socket.open();
  socket.receive(roomFrame({ roomId: ROOM, username: 'ada', members: ['ada', 'grace', 'bob'] }));
  return socket;
}

function state(): ChatState {
  return client.getState();
}

function moderation(action: string, extra: Record<string, unknown> = {}) {
  return { type: 'moderation', roomId: ROOM, action, by: 'ada', target: 'grace', ...extra };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  FakeWebSocket.reset();
});

afterEach(() => {
  client.stop();
  vi.useRealTimers();
});

describe('the moderation actions', () => {
  it('send their frames, each answered by the moderation frame of its actor', () => {
    const socket = enter();
    client.muteMember('grace', 600);
    expect(socket.lastSent()).toEqual({ action: 'mute-member', roomId: ROOM, handle: 'grace', seconds: 600 });
    client.muteMember('grace', 0);
    expect(socket.lastSent()).toEqual({ action: 'mute-member', roomId: ROOM, handle: 'grace', seconds: 0 });
    client.setRole('grace', 'moderator');
    expect(socket.lastSent()).toEqual({ action: 'set-role', roomId: ROOM, handle: 'grace', role: 'moderator' });
    client.removeMember('bob');
    expect(socket.lastSent()).toEqual({ action: 'remove-member', roomId: ROOM, handle: 'bob' });
    client.handOver('grace');
    expect(socket.lastSent()).toEqual({ action: 'hand-over', roomId: ROOM, handle: 'grace' });
    expect(state().privateRooms.pending).toEqual(['mute-member', 'mute-member', 'set-role', 'remove-member', 'hand-over']);

    socket.receive(moderation('muted', { until: '2026-01-01T12:10:00.000Z' }));
    socket.receive(moderation('unmuted'));
    socket.receive(moderation('role_changed', { role: 'moderator' }));
    expect(state().privateRooms.pending).toEqual(['remove-member', 'hand-over']);
    socket.receive(moderation('removed', { target: 'bob' }));
    socket.receive(moderation('handed_over'));
    expect(state().privateRooms).toMatchObject({ pending: [], error: null });
  });

  it("do not take another moderator's action for the answer to one's own", () => {
    const socket = enter();
    client.muteMember('grace', 600);
    socket.receive(moderation('muted', { by: 'carol', target: 'bob', until: '2026-01-01T12:10:00.000Z' }));
    expect(state().privateRooms.pending).toEqual(['mute-member']);
    expect(state().timeline).toHaveLength(1); // the line shows all the same
  });

  it.each([
    ['cannot_moderate', 'mute-member'],
    ['not_a_member', 'remove-member'],
    ['not_moderator', 'remove-member'],
    ['not_room_owner', 'set-role'],
    ['not_room_owner', 'hand-over'],
    ['rate_limited', 'mute-member'],
    ['busy', 'hand-over'],
    ['not_invited', 'set-role'],
  ] as const)('show %s in plain words for the action it answers (%s), and stay in the room', (code, action) => {
    const socket = enter();
    const send = {
      'mute-member': () => client.muteMember('grace', 3600),
      'remove-member': () => client.removeMember('grace'),
      'set-role': () => client.setRole('grace', 'member'),
      'hand-over': () => client.handOver('grace'),
    }[action];
    send();
    socket.receive({ type: 'error', code, message: 'no' });
    expect(state().privateRooms).toMatchObject({ pending: [], error: { action, text: errorText(code) } });
    expect(state()).toMatchObject({ status: 'online', refused: null, error: null });
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('a moderation frame', () => {
  it('is a line in the timeline where it came, with its role or end', () => {
    const socket = enter();
    socket.receive({ type: 'message', id: 'm1', roomId: ROOM, seq: 1, message: 'hi', username: 'grace', isOwnMessage: false, sentAt: NOW.toISOString() });
    socket.receive(moderation('muted', { until: '2026-01-01T12:10:00.000Z' }));
    socket.receive(moderation('role_changed', { role: 'moderator' }));
    expect(state().timeline.map((entry) => entry.kind)).toEqual(['message', 'moderation', 'moderation']);
    expect(state().timeline[1]).toMatchObject({ kind: 'moderation', action: 'muted', by: 'ada', target: 'grace', until: '2026-01-01T12:10:00.000Z', role: null });
    expect(state().timeline[2]).toMatchObject({ action: 'role_changed', role: 'moderator', until: null });
  });

  it("about another room is no line here, but updates one's role in the list of rooms", () => {
    const socket = enter();
    client.listRooms();
    socket.receive({ type: 'rooms', rooms: [{ roomId: ROOM, role: 'member' }, { roomId: OTHER_ROOM, role: 'member' }] });
    socket.receive({ ...moderation('role_changed', { target: 'ada', by: 'carol', role: 'moderator' }), roomId: OTHER_ROOM });
    expect(state().timeline).toEqual([]);
    expect(state().privateRooms.rooms).toEqual([
      { roomId: ROOM, role: 'member' },
      { roomId: OTHER_ROOM, role: 'moderator' },
    ]);
    expect(state().privateRooms.role).toBe('member');
  });

  it("updates one's own role: made a moderator or a member, handed the room, or handing it over", () => {
    const socket = enter();
    client.listRooms();
    socket.receive({ type: 'rooms', rooms: [{ roomId: ROOM, role: 'member' }] });
    expect(state().privateRooms.role).toBe('member');
    socket.receive(moderation('role_changed', { by: 'carol', target: 'ada', role: 'moderator' }));
    expect(state().privateRooms.role).toBe('moderator');
    expect(state().privateRooms.knownRoles).toMatchObject({ carol: 'owner', ada: 'moderator' }); // only the owner sets roles
    expect(state().privateRooms.rooms).toEqual([{ roomId: ROOM, role: 'moderator' }]);
    socket.receive(moderation('handed_over', { by: 'carol', target: 'Ada' }));
    expect(state().privateRooms.role).toBe('owner');
    expect(state().privateRooms.knownRoles).toMatchObject({ carol: 'moderator', Ada: 'owner' });
    socket.receive(moderation('handed_over', { by: 'ada', target: 'grace' }));
    expect(state().privateRooms.role).toBe('moderator');
    expect(state().privateRooms.knownRoles).toMatchObject({ grace: 'owner', ada: 'moderator' });
    socket.receive(moderation('role_changed', { by: 'grace', target: 'ada', role: 'member' }));
    expect(state().privateRooms.role).toBe('member');
    socket.receive(moderation('role_changed', { by: 'grace', target: 'bob', role: 'moderator' }));
    expect(state().privateRooms.role).toBe('member'); // about someone else
    expect(state().privateRooms.knownRoles.bob).toBe('moderator');
  });

  it('mutes and unmutes the user, and the mute ends on its own', () => {
    const socket = enter();
    socket.receive(moderation('muted', { target: 'ada', by: 'grace', until: '2026-01-01T12:10:00.000Z' }));
    expect(state().mutedUntil).toBe('2026-01-01T12:10:00.000Z');
    socket.receive(moderation('unmuted', { target: 'ada', by: 'grace' }));
    expect(state().mutedUntil).toBeNull();
    socket.receive(moderation('muted', { target: 'ada', by: 'grace', until: '2026-01-01T12:10:00.000Z' }));
    vi.advanceTimersByTime(10 * 60_000);
    expect(state().mutedUntil).toBeNull();
    socket.receive(moderation('muted', { target: 'bob', until: '2026-01-01T12:10:00.000Z' }));
    expect(state().mutedUntil).toBeNull(); // someone else
  });
});

describe('removed from the room', () => {
  it.each([
    ['the removed frame', { type: 'removed', roomId: ROOM, by: 'grace' }],
    ['the moderation frame about the user', { type: 'moderation', roomId: ROOM, action: 'removed', by: 'grace', target: 'ada' }],
  ])('is final on %s: the client stops and never enters again', (_, frame) => {
    const socket = enter();
    client.listRooms();
    socket.receive({ type: 'rooms', rooms: [{ roomId: ROOM, role: 'member' }, { roomId: OTHER_ROOM, role: 'owner' }] });
    socket.receive(frame);
    expect(state()).toMatchObject({ refused: 'removed', removedBy: 'grace' });
    expect(state().privateRooms.rooms).toEqual([{ roomId: OTHER_ROOM, role: 'owner' }]);
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    socket.drop(); // the chat closes it right after
    vi.advanceTimersByTime(10 * 60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.sentFrames().filter((sent) => sent.action === 'on-enter-room')).toHaveLength(1);
  });

  it('from another room only drops it from the list of rooms', () => {
    const socket = enter();
    socket.receive({ type: 'removed', roomId: OTHER_ROOM, by: 'grace' });
    expect(state()).toMatchObject({ refused: null, status: 'online' });
  });
});

describe('muted on sending', () => {
  it('keeps the message unsent, says until when, and does not send it again on its own', () => {
    const socket = enter();
    client.send('hello?');
    expect(socket.lastSent()).toMatchObject({ action: 'on-message', clientMessageId: 'cid-1' });
    socket.receive({ type: 'error', code: 'muted', message: 'muted', clientMessageId: 'cid-1', retryAfterMs: 120_000 });
    const until = new Date(NOW.getTime() + 120_000);
    expect(state().mutedUntil).toBe(until.toISOString());
    expect(state().outbox).toEqual([{ clientMessageId: 'cid-1', text: 'hello?', state: 'unsent', failure: mutedText(until) }]);
    expect(mutedText(until, NOW)).toMatch(/^You are muted in this room until \d{1,2}:\d\d/); // a clock time, as the locale writes it

    socket.drop(); // a reconnect does not send it again either
    vi.advanceTimersByTime(1_000);
    const next = FakeWebSocket.latest();
    next.open();
    next.receive(roomFrame({ roomId: ROOM, username: 'ada', members: ['ada'] }));
    vi.advanceTimersByTime(60_000);
    const messages = [...socket.sentFrames(), ...next.sentFrames()].filter((sent) => sent.action === 'on-message');
    expect(messages).toHaveLength(1);
    expect(state().outbox[0]?.state).toBe('unsent');

    vi.advanceTimersByTime(60_000); // the mute is over: the user may send it again
    expect(state().mutedUntil).toBeNull();
    client.retry('cid-1');
    expect(next.lastSent()).toMatchObject({ action: 'on-message', clientMessageId: 'cid-1', message: 'hello?' });
  });

  it('says so in plain words when the chat gives no end', () => {
    const socket = enter();
    client.send('hello?');
    socket.receive({ type: 'error', code: 'muted', message: 'muted', clientMessageId: 'cid-1' });
    expect(state()).toMatchObject({ mutedUntil: null, error: errorText('muted') });
    expect(state().outbox[0]).toMatchObject({ state: 'unsent', failure: errorText('muted') });
  });
});
