import { describe, expect, it } from 'vitest';
import { PING, enterRoomFrame, parseServerFrame, sendMessageFrame } from '../src/chat/protocol';
import { chatMessage, roomFrame } from './fakeWebSocket';

describe('frames out', () => {
  it('enters a room with groupId and username, adding afterSeq only when there is one', () => {
    expect(enterRoomFrame('lobby', 'Alice', null)).toEqual({ action: 'on-enter-room', groupId: 'lobby', username: 'Alice' });
    expect(enterRoomFrame('lobby', 'Alice', 0)).toEqual({
      action: 'on-enter-room',
      groupId: 'lobby',
      username: 'Alice',
      afterSeq: 0,
    });
  });

  it("enters a private room with the invite's code when there is one", () => {
    expect(enterRoomFrame('~Qh7v0c2mXbT9yLkR4sW1aZ', 'ada', null, null, null, 'd3JpdGUtbWUtYS1jb2RlMA')).toEqual({
      action: 'on-enter-room',
      groupId: '~Qh7v0c2mXbT9yLkR4sW1aZ',
      username: 'ada',
      invite: 'd3JpdGUtbWUtYS1jb2RlMA',
    });
  });

  it('sends a message with its room and clientMessageId, and pings with the ping action', () => {
    expect(sendMessageFrame('lobby', 'hi', 'cid-1')).toEqual({
      action: 'on-message',
      groupId: 'lobby',
      message: 'hi',
      clientMessageId: 'cid-1',
    });
    expect(JSON.stringify(PING)).toBe('{"action":"ping"}');
  });
});

describe('frames in', () => {
  it('reads a room frame with its history', () => {
    const frame = parseServerFrame(JSON.stringify(roomFrame({ history: [chatMessage(1)], more: true })));
    expect(frame).toEqual({
      type: 'room',
      roomId: 'lobby',
      username: 'Alice',
      members: ['Alice', 'Bob'],
      history: [chatMessage(1)],
      more: true,
    });
  });

  it('reads message, presence, pong and error frames', () => {
    expect(parseServerFrame(JSON.stringify({ type: 'message', ...chatMessage(2, { clientMessageId: 'c1' }) }))).toEqual({
      type: 'message',
      ...chatMessage(2, { clientMessageId: 'c1' }),
    });
    expect(
      parseServerFrame('{"type":"presence","event":"rename","username":"B","previousUsername":"A","memberCount":2}'),
    ).toEqual({ type: 'presence', event: 'rename', username: 'B', previousUsername: 'A', memberCount: 2 });
    expect(parseServerFrame('{"type":"pong"}')).toEqual({ type: 'pong' });
    expect(parseServerFrame('{"type":"error","code":"room_full","message":"full"}')).toEqual({
      type: 'error',
      code: 'room_full',
      message: 'full',
    });
  });

  it("recognises API Gateway's own error frame, which has no type", () => {
    expect(
      parseServerFrame('{"message": "Internal server error", "connectionId":"abc=", "requestId":"r-1"}'),
    ).toEqual({ type: 'gateway-error', message: 'Internal server error' });
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[]'],
    ['an unknown type', '{"type":"typing"}'],
    ['a message without seq', JSON.stringify({ type: 'message', ...chatMessage(1), seq: undefined })],
    ['a message with a fractional seq', JSON.stringify({ type: 'message', ...chatMessage(1), seq: 1.5 })],
    ['a room frame with a broken history entry', JSON.stringify(roomFrame({ history: [{ id: 'x' }] }))],
    ['a presence frame with an unknown event', '{"type":"presence","event":"wave","username":"A","memberCount":1}'],
    ['a rooms frame with an unknown role', '{"type":"rooms","rooms":[{"roomId":"~Qh7v0c2mXbT9yLkR4sW1aZ","role":"admin"}]}'],
    ['a rooms frame without its list', '{"type":"rooms"}'],
    ['an invites frame with an invite without expiry', '{"type":"invites","roomId":"~Qh7v0c2mXbT9yLkR4sW1aZ","invites":[{"code":"x"}]}'],
    ['an invite without its room', '{"type":"invite","code":"x","expiresAt":"2026-01-02T12:00:00.000Z"}'],
    ['a member_added without a handle', '{"type":"member_added","roomId":"~Qh7v0c2mXbT9yLkR4sW1aZ"}'],
    ['a leave whose usernames are not strings', '{"type":"presence","event":"leave","username":"A","usernames":["A",1],"memberCount":1}'],
  ])('ignores %s', (_description, data) => {
    expect(parseServerFrame(data)).toBeNull();
  });
});

describe('moderation frames', () => {
  const ROOM = '~Qh7v0c2mXbT9yLkR4sW1aZ';
  const parse = (frame: object) => parseServerFrame(JSON.stringify(frame));

  it('reads each moderation action, with its role or end', () => {
    expect(parse({ type: 'moderation', roomId: ROOM, action: 'role_changed', by: 'ada', target: 'grace', role: 'moderator' })).toEqual({
      type: 'moderation',
      roomId: ROOM,
      action: 'role_changed',
      by: 'ada',
      target: 'grace',
      role: 'moderator',
    });
    for (const action of ['removed', 'unmuted', 'handed_over']) {
      expect(parse({ type: 'moderation', roomId: ROOM, action, by: 'ada', target: 'grace' })).toEqual({
        type: 'moderation',
        roomId: ROOM,
        action,
        by: 'ada',
        target: 'grace',
      });
    }
  });

  it('ignores a moderation frame it cannot read', () => {
    const base = { type: 'moderation', roomId: ROOM, by: 'ada', target: 'grace' };
    expect(parse({ ...base, action: 'banned' })).toBeNull();
    expect(parse({ ...base, action: 'role_changed', role: 'owner' })).toBeNull();
    expect(parse({ ...base, action: 'role_changed' })).toBeNull();
    expect(parse({ ...base, action: 'muted' })).toBeNull();
    expect(parse({ ...base, action: 'muted', until: 'soon' })).toBeNull();
    expect(parse({ ...base, action: 'removed', target: 7 })).toBeNull();
  });

  it('reads a removed frame, and a moderator in the rooms list', () => {
    expect(parse({ type: 'removed', roomId: ROOM, by: 'ada' })).toEqual({ type: 'removed', roomId: ROOM, by: 'ada' });
    expect(parse({ type: 'removed', roomId: ROOM })).toBeNull();
    expect(parse({ type: 'rooms', rooms: [{ roomId: ROOM, role: 'moderator' }] })).toEqual({
      type: 'rooms',
      rooms: [{ roomId: ROOM, role: 'moderator' }],
    });
  });
});

describe('blocking frames', () => {
  const parse = (frame: object) => parseServerFrame(JSON.stringify(frame));

  it('reads blocked, unblocked and the list of blocks', () => {
    expect(parse({ type: 'blocked', handle: 'bob' })).toEqual({ type: 'blocked', handle: 'bob' });
    expect(parse({ type: 'unblocked', handle: 'bob' })).toEqual({ type: 'unblocked', handle: 'bob' });
    expect(parse({ type: 'blocks', handles: ['bob', 'grace'] })).toEqual({ type: 'blocks', handles: ['bob', 'grace'] });
    expect(parse({ type: 'blocks', handles: [] })).toEqual({ type: 'blocks', handles: [] });
  });

  it('ignores a blocking frame it cannot read', () => {
    expect(parse({ type: 'blocked' })).toBeNull();
    expect(parse({ type: 'blocks' })).toBeNull();
    expect(parse({ type: 'blocks', handles: 'bob' })).toBeNull();
    expect(parse({ type: 'blocks', handles: ['bob', 7] })).toBeNull();
  });
});
