// Deleting messages: the client's side (`on-delete-message`, the `delete` frames live and in a
// `room` frame's `changes`, each seq once, and moderation lines kept in their place) and the
// timeline's (the Delete button where the user may delete, its confirmation, the deleted message).
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatClient, type ChatState, type MessageEntry } from '../src/chat/chatClient';
import { errorText } from '../src/chat/errorText';
import type { ChatMessage } from '../src/chat/protocol';
import { MessageList } from '../src/components/MessageList';
import { FakeWebSocket, chatMessage, roomFrame } from './fakeWebSocket';

let client: ChatClient;

function enter(history: object[] = [], extra: Record<string, unknown> = {}): FakeWebSocket {
  client = new ChatClient({
    websocketUrl: 'wss://chat.example/test',
    roomId: 'lobby',
    username: 'Alice',
    guestKey: 'AAECAwQFBgcICQoLDA0ODw',
    createSocket: (url) => new FakeWebSocket(url),
    random: () => 0.5,
  });
  client.start();
  const socket = FakeWebSocket.latest();
  socket.open();
  socket.receive(roomFrame({ history, ...extra }));
  return socket;
}

function state(): ChatState {
  return client.getState();
}

function messages(): ChatMessage[] {
  return state()
    .timeline.filter((entry): entry is MessageEntry => entry.kind === 'message')
    .map((entry) => entry.message);
}

/** What the timeline shows, one string per item. */
function lines(): string[] {
  return state().timeline.map((entry) => {
    if (entry.kind === 'message') return entry.message.deleted ? `${entry.message.seq}: deleted` : `${entry.message.seq}: ${entry.message.message}`;
    if (entry.kind === 'moderation') return `${entry.by} ${entry.action} ${entry.target}`;
    return entry.kind;
  });
}

function deletion(seq: number, targetSeq: number, extra: Record<string, unknown> = {}) {
  return { type: 'delete', roomId: 'lobby', seq, targetSeq, ...extra };
}

/** The afterSeq of the entry the client sends after its socket drops and a new one opens. */
function afterSeqOnReconnect(socket: FakeWebSocket): unknown {
  socket.drop();
  vi.advanceTimersByTime(60_000);
  const next = FakeWebSocket.latest();
  next.open();
  return next.lastSent()?.afterSeq;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});

afterEach(() => {
  client.stop();
  vi.useRealTimers();
});

describe('deleting messages in the client', () => {
  it('sends on-delete-message and shows the message deleted when its delete frame comes', () => {
    const socket = enter([chatMessage(1, { isOwnMessage: true, username: 'Alice' }), chatMessage(2)]);
    client.deleteMessage(1);
    expect(socket.lastSent()).toEqual({ action: 'on-delete-message', seq: 1 });
    socket.receive(deletion(3, 1));
    expect(lines()).toEqual(['1: deleted', '2: message 2']);
    expect(messages()[0]).toMatchObject({ message: '', deleted: true });
    expect(messages()[0]?.deletedBy).toBeUndefined();
  });

  it("shows who removed someone else's message", () => {
    const socket = enter([chatMessage(1), chatMessage(2)]);
    socket.receive(deletion(3, 1, { by: 'ada' }));
    socket.receive({ type: 'message', ...chatMessage(4) });
    expect(lines()).toEqual(['1: deleted', '2: message 2', '4: message 4']);
    expect(messages()[0]?.deletedBy).toBe('ada');
  });

  it('applies a deletion it is sent again after a reconnect once, and asks only for what came after it', () => {
    const socket = enter([chatMessage(1), chatMessage(2)]);
    socket.receive(deletion(3, 1, { by: 'ada' }));
    expect(afterSeqOnReconnect(socket)).toBe(3); // the deletion's seq counts as had

    const again = FakeWebSocket.latest();
    again.receive(roomFrame({ history: [chatMessage(4)], changes: [deletion(3, 1, { by: 'ada' })] }));
    expect(lines()).toEqual(['1: deleted', '2: message 2', '4: message 4']);
    expect(afterSeqOnReconnect(again)).toBe(4);
  });

  it("applies a room frame's changes to the messages it holds, and moves past their seqs", () => {
    const socket = enter([chatMessage(1), chatMessage(2)]);
    socket.drop();
    vi.advanceTimersByTime(60_000);
    const next = FakeWebSocket.latest();
    next.open();
    expect(next.lastSent()?.afterSeq).toBe(2);
    next.receive(roomFrame({ history: [], changes: [deletion(3, 2)] }));
    expect(lines()).toEqual(['1: message 1', '2: deleted']);
    expect(afterSeqOnReconnect(next)).toBe(3);
  });

  it('places moderation lines of a latest page at their seqs among the messages', () => {
    const moderation = { type: 'moderation', roomId: 'lobby', seq: 2, action: 'muted', by: 'ada', target: 'bob', until: '2026-01-01T12:10:00.000Z' };
    const socket = enter([chatMessage(1), chatMessage(3)], { changes: [moderation] });
    expect(lines()).toEqual(['1: message 1', 'ada muted bob', '3: message 3']);
    socket.receive(moderation); // live again: once
    expect(lines()).toHaveLength(3);
    expect(afterSeqOnReconnect(socket)).toBe(3);
  });

  it("leaves this room's seqs alone for another room's moderation frame", () => {
    const socket = enter([chatMessage(1)]);
    socket.receive({ type: 'moderation', roomId: '~BBBBBBBBBBBBBBBBBBBBBB', seq: 2, action: 'muted', by: 'ada', target: 'bob', until: '2026-01-01T12:10:00.000Z' });
    expect(lines()).toEqual(['1: message 1']);
    socket.receive({ type: 'message', ...chatMessage(2, { message: "this room's seq 2" }) });
    expect(lines()).toEqual(['1: message 1', "2: this room's seq 2"]);
  });

  it.each(['not_own_message', 'unknown_message', 'rate_limited', 'busy'])('says why a deletion was refused (%s), the message kept', (code) => {
    const socket = enter([chatMessage(1)]);
    client.deleteMessage(1);
    socket.receive({ type: 'error', code, message: 'refused' });
    expect(state().error).toBe(errorText(code));
    expect(state().username).toBe('Alice');
    expect(lines()).toEqual(['1: message 1']);
  });
});

describe('deleting messages in the timeline', () => {
  const own = { ...chatMessage(1, { isOwnMessage: true, username: 'Alice', message: 'mine' }) };
  const theirs = { ...chatMessage(2, { message: 'theirs' }) };
  const timeline = [own, theirs].map((message) => ({ kind: 'message' as const, key: message.id, message }));

  function renderList(canDelete: (message: ChatMessage) => boolean, onDelete = vi.fn()) {
    render(
      <MessageList
        timeline={timeline}
        outbox={[]}
        olderMessages={false}
        onLoadOlder={() => {}}
        onRetry={() => {}}
        onDiscard={() => {}}
        canDelete={canDelete}
        onDelete={onDelete}
      />,
    );
    return onDelete;
  }

  beforeEach(() => {
    vi.useRealTimers();
  });

  it('offers Delete on the messages the user may delete, and deletes once confirmed', async () => {
    const onDelete = renderList((message) => message.isOwnMessage);
    expect(screen.getAllByRole('button', { name: /delete/i })).toHaveLength(1);
    const confirm = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(true);
    vi.stubGlobal('confirm', confirm);
    const button = screen.getByRole('button', { name: 'Delete your message' });
    await userEvent.click(button);
    expect(onDelete).not.toHaveBeenCalled(); // the user said no
    await userEvent.click(button);
    expect(onDelete).toHaveBeenCalledWith(1);
    expect(confirm).toHaveBeenCalledTimes(2);
    vi.unstubAllGlobals();
  });

  it("offers a moderator Delete on everyone's messages, named by author", () => {
    renderList(() => true);
    expect(screen.getByRole('button', { name: 'Delete message from Bob' })).toBeInTheDocument();
  });

  it('shows a deleted message without its text or a Delete button, and who removed it', () => {
    const removed = { ...theirs, message: '', deleted: true as const, deletedBy: 'ada' };
    render(
      <MessageList
        timeline={[{ kind: 'message', key: removed.id, message: removed }]}
        outbox={[]}
        olderMessages={false}
        onLoadOlder={() => {}}
        onRetry={() => {}}
        onDiscard={() => {}}
        canDelete={() => true}
        onDelete={() => {}}
      />,
    );
    const list = screen.getByRole('log');
    expect(within(list).getByText(/Message removed by/)).toHaveTextContent('Message removed by ada');
    expect(within(list).queryByRole('button', { name: /delete/i })).toBeNull();
  });
});
