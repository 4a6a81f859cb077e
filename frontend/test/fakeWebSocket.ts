import type { SocketLike } from '../src/chat/chatClient';

/** A WebSocket the test drives by hand: it records what the page sends and delivers what the test says the server sent. */
export class FakeWebSocket implements SocketLike {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static instances: FakeWebSocket[] = [];

  readyState = FakeWebSocket.CONNECTING;
  readonly sent: string[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;

  /** The subprotocols the page offered; `undefined` when it passed none (as `new WebSocket(url)`). */
  readonly protocols: string[] | undefined;

  constructor(
    readonly url: string,
    protocols?: string | string[],
  ) {
    this.protocols = typeof protocols === 'string' ? [protocols] : protocols;
    FakeWebSocket.instances.push(this);
  }

  static reset(): void {
    FakeWebSocket.instances = [];
  }

  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no WebSocket was opened');
    return socket;
  }

  send(data: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('send on a socket that is not open');
    this.sent.push(data);
  }

  close(): void {
    this.readyState = FakeWebSocket.CLOSED;
  }

  // ------------------------------------------------------------ driven by the test

  open(): void {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.(new Event('open'));
  }

  receive(frame: object): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(frame) }));
  }

  /** The server or the network closed the connection. */
  drop(): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.(new CloseEvent('close', { code: 1001 }));
  }

  sentFrames(): Record<string, unknown>[] {
    return this.sent.map((data) => JSON.parse(data) as Record<string, unknown>);
  }

  lastSent(): Record<string, unknown> | undefined {
    return this.sentFrames().at(-1);
  }
}

export function chatMessage(seq: number, overrides: Record<string, unknown> = {}) {
  return {
    id: `msg-${seq}`,
    roomId: 'lobby',
    seq,
    message: `message ${seq}`,
    username: 'Bob',
    isOwnMessage: false,
    sentAt: '2026-11-26T10:15:00.000Z',
    ...overrides,
  };
}

export function roomFrame(overrides: Record<string, unknown> = {}) {
  return { type: 'room', roomId: 'lobby', username: 'Alice', members: ['Alice', 'Bob'], history: [], more: false, ...overrides };
}
