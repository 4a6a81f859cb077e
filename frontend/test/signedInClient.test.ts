// The chat connection of a signed-in page: the token rides in Sec-WebSocket-Protocol, a renewed token
// replaces the connection, `token_expired` from the server means "renew and reconnect", and
// `signed_out` means "stop": the page signs out, and never reconnects with the token it had.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import contract from '../../lambdas/serverless_chat/contract.json';
import { socketProtocols } from '../src/auth/socketProtocols';
import { ChatClient, RECONNECT_BASE_MS, SIGN_OUT_TIMEOUT_MS } from '../src/chat/chatClient';
import { FakeWebSocket, chatMessage, roomFrame } from './fakeWebSocket';

let client: ChatClient;
let token: string | null;
let onTokenExpired: ReturnType<typeof vi.fn<() => void>>;
let onSignedOut: ReturnType<typeof vi.fn<() => void>>;

function createClient(signedIn: boolean): ChatClient {
  client = new ChatClient({
    websocketUrl: 'wss://chat.example/test',
    roomId: 'lobby',
    username: 'ada',
    guestKey: 'AAECAwQFBgcICQoLDA0ODw',
    protocols: () => socketProtocols(token),
    ...(signedIn ? { onTokenExpired, onSignedOut } : {}),
    createSocket: (url, protocols) => new FakeWebSocket(url, protocols),
    random: () => 0.5,
  });
  client.start();
  return client;
}

function enter(frame: Record<string, unknown> = {}): FakeWebSocket {
  const socket = FakeWebSocket.latest();
  socket.open();
  socket.receive(roomFrame({ username: 'ada', members: ['ada', 'Bob'], ...frame }));
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
  token = null;
  onTokenExpired = vi.fn<() => void>();
  onSignedOut = vi.fn<() => void>();
});

afterEach(() => {
  client.stop();
  vi.useRealTimers();
});

describe('the subprotocols a socket offers', () => {
  it('are none for a guest, as the seed page opened its socket', () => {
    expect(socketProtocols(null)).toEqual([]);
    createClient(false);
    expect(FakeWebSocket.latest().protocols).toEqual([]);
  });

  it("are the chat's and the token's, from the contract, when signed in", () => {
    expect(contract.subprotocol).toBe('serverless-chat');
    expect(socketProtocols('eyJ.a.b')).toEqual([contract.subprotocol, `${contract.tokenProtocolPrefix}eyJ.a.b`]);
    token = 'eyJ.first.token';
    createClient(true);
    expect(FakeWebSocket.latest().protocols).toEqual(['serverless-chat', 'serverless-chat.token.eyJ.first.token']);
    expect(FakeWebSocket.latest().url).toBe('wss://chat.example/test'); // never in the URL
  });
});

describe('a renewed token', () => {
  it('replaces the connection at once with one carrying it, which fills in what was missed', () => {
    token = 'old';
    createClient(true);
    const first = enter({ history: [chatMessage(1), chatMessage(2)] });
    token = 'new';
    client.reconnect();

    expect(first.readyState).toBe(FakeWebSocket.CLOSED);
    const second = FakeWebSocket.latest();
    expect(second).not.toBe(first);
    expect(second.protocols).toEqual(['serverless-chat', 'serverless-chat.token.new']);
    second.open();
    expect(second.lastSent()).toMatchObject({ action: 'on-enter-room', afterSeq: 2 });
  });
});

describe('token_expired from the server', () => {
  it('asks for a renewed token and waits for it rather than retrying with the expired one', () => {
    token = 'expiring';
    createClient(true);
    const socket = enter();
    socket.receive({ type: 'error', code: 'token_expired', message: 'The sign-in has expired.' });

    expect(onTokenExpired).toHaveBeenCalledOnce();
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    expect(client.getState().status).toBe('reconnecting');
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1); // no socket with the expired token

    token = 'renewed';
    client.reconnect();
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(FakeWebSocket.latest().protocols).toEqual(['serverless-chat', 'serverless-chat.token.renewed']);
    enter();
    expect(client.getState().status).toBe('online');
  });

  it('is an error like any other for a guest', () => {
    createClient(false);
    const socket = enter();
    socket.receive({ type: 'error', code: 'token_expired', message: 'The sign-in has expired.' });
    expect(onTokenExpired).not.toHaveBeenCalled();
    expect(client.getState().error).toMatch(/sign-in expired/);
  });
});

describe('guests beside signed-in users', () => {
  it("are the room frame's guests, then follow joins, renames and leaves", () => {
    createClient(false);
    const socket = enter({ members: ['ada', 'guest-1'], guests: ['guest-1'] });
    expect(client.getState().guests).toEqual(['guest-1']);
    socket.receive({ type: 'presence', event: 'join', username: 'guest-2', memberCount: 3, guest: true });
    socket.receive({ type: 'presence', event: 'join', username: 'grace', memberCount: 4 });
    expect(client.getState().guests).toEqual(['guest-1', 'guest-2']);
    socket.receive({ type: 'presence', event: 'rename', username: 'Zoë', previousUsername: 'guest-1', memberCount: 4, guest: true });
    expect(client.getState().guests).toEqual(['guest-2', 'Zoë']);
    socket.receive({ type: 'presence', event: 'leave', username: 'guest-2', memberCount: 3, guest: true });
    expect(client.getState().guests).toEqual(['Zoë']);
  });

  it("mark a guest's message as a guest's", () => {
    createClient(false);
    const socket = enter();
    socket.receive({ type: 'message', ...chatMessage(1, { username: 'guest-1', guest: true }) });
    socket.receive({ type: 'message', ...chatMessage(2, { username: 'grace' }) });
    const messages = client.getState().timeline.flatMap((entry) => (entry.kind === 'message' ? [entry.message] : []));
    expect(messages.map((message) => [message.username, message.guest ?? false])).toEqual([
      ['guest-1', true],
      ['grace', false],
    ]);
  });
});

/** A promise's outcome so far, without waiting for it. */
function settled(promise: Promise<void>): () => boolean {
  let done = false;
  void promise.then(() => (done = true));
  return () => done;
}

describe('signing out from the page', () => {
  it("sends the contract's sign-out and settles on signed_out, then never reconnects", async () => {
    token = 'ada-token';
    createClient(true);
    const socket = enter();
    const done = settled(client.signOut());
    expect(socket.lastSent()).toEqual(contract.clientFrames['sign-out'].example);
    await vi.advanceTimersByTimeAsync(0);
    expect(done()).toBe(false);

    socket.receive(contract.serverFrames.signed_out.example);
    socket.drop(); // the chat closes every connection of hers
    await vi.advanceTimersByTimeAsync(0);
    expect(done()).toBe(true);
    expect(onSignedOut).not.toHaveBeenCalled(); // the page asked: no "you were signed out" notice
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('settles when the chat closes the socket without a word', async () => {
    token = 'ada-token';
    createClient(true);
    const socket = enter();
    const done = settled(client.signOut());
    socket.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(done()).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it(`gives up on a chat that never answers after ${SIGN_OUT_TIMEOUT_MS} ms, and closes its socket`, async () => {
    token = 'ada-token';
    createClient(true);
    const socket = enter();
    const done = settled(client.signOut());
    await vi.advanceTimersByTimeAsync(SIGN_OUT_TIMEOUT_MS - 1);
    expect(done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done()).toBe(true);
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('settles at once, sending nothing, when no socket is open', async () => {
    token = 'ada-token';
    createClient(true);
    const connecting = FakeWebSocket.latest();
    const done = settled(client.signOut());
    await vi.advanceTimersByTimeAsync(0);
    expect(done()).toBe(true);
    expect(connecting.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('signed_out from the chat, unasked', () => {
  it('stops the client and says so, and the old token is never offered again', async () => {
    token = 'ada-token';
    createClient(true);
    const socket = enter();
    socket.receive(contract.serverFrames.signed_out.example);
    socket.drop();
    expect(onSignedOut).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("is nothing to a guest's connection, which reconnects as a guest", async () => {
    createClient(false);
    const socket = enter();
    socket.receive({ type: 'signed_out' });
    socket.drop();
    await vi.advanceTimersByTimeAsync(RECONNECT_BASE_MS);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(FakeWebSocket.latest().protocols).toEqual([]);
  });
});
