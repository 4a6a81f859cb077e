// Typing: the client's side (`on-typing` at most once an interval while in the room; other
// members' `typing` frames shown until their `expiresAt`, their message or their leaving) and the
// page's (the composer says so as the user types; the typing line's words).
import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatClient, TYPING_INTERVAL_MS, TYPING_SHOWN_MS } from '../src/chat/chatClient';
import { Composer } from '../src/components/Composer';
import { TypingLine, typingText } from '../src/components/TypingLine';
import { FakeWebSocket, chatMessage, roomFrame } from './fakeWebSocket';

let client: ChatClient;

/** A started client, its socket open and its entry sent, not answered yet. */
function connect(): FakeWebSocket {
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
  return socket;
}

function enter(): FakeWebSocket {
  const socket = connect();
  socket.receive(roomFrame({ members: ['Alice', 'Bob', 'Cy'] }));
  return socket;
}

/** A `typing` frame of `username`, to be shown for `shownMs` from now by the server's clock. */
function typing(username: string, shownMs = TYPING_SHOWN_MS, roomId = 'lobby') {
  return { type: 'typing', roomId, username, expiresAt: new Date(Date.now() + shownMs).toISOString() };
}

function typingFramesSent(socket: FakeWebSocket): number {
  return socket.sentFrames().filter((frame) => frame.action === 'on-typing').length;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});

afterEach(() => {
  client.stop();
  vi.useRealTimers();
});

describe('saying the user is typing', () => {
  it('sends on-typing at most once an interval, and again at once on a new socket', () => {
    const socket = enter();
    client.typing();
    client.typing();
    vi.advanceTimersByTime(TYPING_INTERVAL_MS - 1);
    client.typing();
    expect(typingFramesSent(socket)).toBe(1);
    expect(socket.sentFrames().at(-1)).toEqual({ action: 'on-typing' });

    vi.advanceTimersByTime(1);
    client.typing();
    expect(typingFramesSent(socket)).toBe(2);

    socket.drop();
    vi.advanceTimersByTime(60_000);
    const next = FakeWebSocket.latest();
    next.open();
    next.receive(roomFrame());
    client.typing();
    expect(typingFramesSent(next)).toBe(1);
  });

  it('sends nothing before the room is entered', () => {
    const socket = connect();
    client.typing();
    expect(typingFramesSent(socket)).toBe(0);
  });
});

describe('others typing', () => {
  it('shows each one for typingShownSeconds after their frame, and a new frame keeps them shown', () => {
    const socket = enter();
    socket.receive(typing('Bob'));
    socket.receive(typing('Cy'));
    expect(client.getState().typing).toEqual(['Bob', 'Cy']);

    vi.advanceTimersByTime(TYPING_SHOWN_MS - 1_000);
    socket.receive(typing('Bob')); // still typing
    vi.advanceTimersByTime(1_000);
    expect(client.getState().typing).toEqual(['Bob']);
    vi.advanceTimersByTime(TYPING_SHOWN_MS);
    expect(client.getState().typing).toEqual([]);
  });

  it('stops showing one when their message arrives, or when they leave or rename', () => {
    const socket = enter();
    socket.receive(typing('Bob'));
    socket.receive(typing('Cy'));
    socket.receive(typing('Dee'));
    socket.receive({ type: 'message', ...chatMessage(1, { username: 'Bob' }) });
    expect(client.getState().typing).toEqual(['Cy', 'Dee']);
    socket.receive({ type: 'presence', event: 'leave', username: 'Cy', memberCount: 2 });
    socket.receive({ type: 'presence', event: 'rename', username: 'Dee 2', previousUsername: 'Dee', memberCount: 2 });
    expect(client.getState().typing).toEqual([]);
  });

  it("ignores its own name and another room's frames, and forgets everyone when the socket drops", () => {
    const socket = enter();
    socket.receive(typing('Alice'));
    socket.receive(typing('Bob', TYPING_SHOWN_MS, 'elsewhere'));
    expect(client.getState().typing).toEqual([]);
    socket.receive(typing('Bob'));
    socket.drop();
    expect(client.getState().typing).toEqual([]);
  });

  it("shows one for the contract's time from its frame's arrival, whatever the server's clock says", () => {
    const socket = enter();
    socket.receive(typing('Bob', -60_000)); // the server's clock a minute behind this one
    socket.receive(typing('Cy', 60 * TYPING_SHOWN_MS)); // or far ahead
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 1);
    expect(client.getState().typing).toEqual(['Bob', 'Cy']);
    vi.advanceTimersByTime(1);
    expect(client.getState().typing).toEqual([]);
  });
});

describe('the page', () => {
  it('says who is typing in words, one or two by name', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['ada'])).toBe('ada is typing…');
    expect(typingText(['ada', 'bob'])).toBe('ada and bob are typing…');
    expect(typingText(['ada', 'bob', 'cy'])).toBe('several people are typing…');
  });

  it('announces the typing line politely', () => {
    render(<TypingLine names={['ada']} />);
    expect(screen.getByText('ada is typing…')).toHaveAttribute('aria-live', 'polite');
  });

  it('tells the chat the user is typing as the draft changes, not when it is emptied', () => {
    const onTyping = vi.fn();
    render(<Composer onSend={() => {}} onTyping={onTyping} error={null} />);
    const input = screen.getByLabelText('Message');
    fireEvent.change(input, { target: { value: 'h' } });
    fireEvent.change(input, { target: { value: 'hi' } });
    fireEvent.change(input, { target: { value: '' } });
    expect(onTyping).toHaveBeenCalledTimes(2);
  });
});
