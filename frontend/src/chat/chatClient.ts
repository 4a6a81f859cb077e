// The connection to one chat room, free of any UI framework: it keeps the socket alive, re-enters the room
// and fills gaps after a drop, queues what the user sends while offline, and publishes one immutable state.
// Where the connection stands (connecting, entering, filling a gap, in the room, reconnecting, stopped) is
// the state machine of connection.ts; this file holds the socket, the timers and the room's timeline.
import { PING_INTERVAL_MS, TYPING_INTERVAL_SECONDS, TYPING_SHOWN_SECONDS } from '../limits';
import { type ConnectionEvent, type ConnectionState, type ConnectionStatus, NOT_STARTED, connectionStatus, transition } from './connection';
import { GATEWAY_ERROR_TEXT, NO_REPLY_TEXT, errorText, mutedText, nameTakenText, renameLimitedText } from './errorText';
import { type OutboxStore, sessionOutboxStore } from './outboxStore';
import {
  type BlockAction,
  type BlockActionFrame,
  type ChatMessage,
  type ClientFrame,
  type ErrorFrame,
  type InviteInfo,
  type ModerationAction,
  type ModerationEvent,
  type ModerationEventFrame,
  type RoomChange,
  type PresenceEvent,
  type PresenceFrame,
  type PrivateRoomSummary,
  type RoomAction,
  type RoomActionFrame,
  type RoomActionReply,
  type RoomFrame,
  type RoomRole,
  type TypingEventFrame,
  CREATE_ROOM,
  LIST_BLOCKS,
  LIST_ROOMS,
  PING,
  SIGN_OUT,
  TYPING,
  addMemberFrame,
  blockUserFrame,
  createInviteFrame,
  deleteMessageFrame,
  enterRoomFrame,
  handOverFrame,
  listInvitesFrame,
  muteMemberFrame,
  parseServerFrame,
  removeMemberFrame,
  revokeInviteFrame,
  sendMessageFrame,
  setRoleFrame,
  unblockUserFrame,
} from './protocol';

export type { ConnectionStatus } from './connection';

/** queued: waits for the room; sending: sent, no echo yet; unsent: failed, the user may retry or discard. */
export type OutgoingState = 'queued' | 'sending' | 'unsent';

export interface OutgoingMessage {
  clientMessageId: string;
  text: string;
  state: OutgoingState;
  failure: string | null;
}

export interface MessageEntry {
  kind: 'message';
  key: string;
  message: ChatMessage;
}

export interface PresenceEntry {
  kind: 'presence';
  key: string;
  event: PresenceEvent;
  username: string;
  previousUsername: string | null;
  /** Everyone this line is about: several on a `leave` of members found gone together. */
  usernames: string[];
}

/** A `moderation` frame: what the room's owner or a moderator did, as a line in the timeline. */
export interface ModerationEntry {
  kind: 'moderation';
  key: string;
  action: ModerationEvent;
  by: string;
  target: string;
  /** On `role_changed`: the target's new role. */
  role: 'moderator' | 'member' | null;
  /** On `muted`: when the mute ends (ISO 8601). */
  until: string | null;
}

export type TimelineEntry = MessageEntry | PresenceEntry | ModerationEntry;

/** Private rooms (signed in): what the chat answered to this connection's own actions. */
export interface PrivateRoomsState {
  /** The user's private rooms and their role in each (`list-rooms`); `null` until the chat answers. */
  rooms: PrivateRoomSummary[] | null;
  /** The room `create-room` just made: the page goes there. */
  createdRoomId: string | null;
  /** This room's live invites, the soonest to expire first (`list-invites`, `revoke-invite`, and those made since); `null` until listed. */
  invites: InviteInfo[] | null;
  /** The invite `create-invite` made last, while it is live. */
  newInvite: InviteInfo | null;
  /** The handle `add-member` made a member last. */
  addedMember: string | null;
  /** The user's role in this room: from `list-rooms`, then the `moderation` frames about them; `null` while unknown. */
  role: RoomRole | null;
  /** The roles of others in this room that the `moderation` frames since entering told (nothing else says them). */
  knownRoles: Record<string, RoomRole>;
  /** The actions sent and not answered yet, oldest first. */
  pending: RoomAction[];
  /** The latest refusal of one of them, in plain words. */
  error: { action: RoomAction; text: string } | null;
}

/** One blocking action sent: whom it was about (`null` for `list-blocks`). */
export interface BlockRequest {
  action: BlockAction;
  handle: string | null;
}

/** Blocking (signed in): whom this user blocks, as far as this page knows, and its own actions' answers. */
export interface BlocksState {
  /**
   * The handles the user blocks, alphabetical: those `list-blocks` answered, then `blocked` and
   * `unblocked` (a block made in another tab is not told here).
   */
  handles: string[];
  /** `list-blocks` was answered: `handles` is the whole list. */
  listed: boolean;
  /** The blocking actions sent and not answered yet, oldest first. */
  pending: BlockRequest[];
  /** The latest refusal of one of them, in plain words. */
  error: (BlockRequest & { text: string }) | null;
  /** Whom `unblock-user` unblocked last: their messages hidden here show again after a reload. */
  unblocked: string | null;
}

export interface ChatState {
  status: ConnectionStatus;
  /** The name the server confirmed (before the first `room` frame: the name the page will ask for). */
  username: string;
  /** One name per connection in the room, as the server reports them (a name may appear twice). */
  members: string[];
  /** The members' names that are guests' (only where guests and signed-in users meet: sign-in optional). */
  guests: string[];
  /** Messages in `seq` order, with presence lines where they arrived: the newest `MAX_TIMELINE_ITEMS`, and the older pages asked for. */
  timeline: TimelineEntry[];
  /** The room holds older messages than the timeline's first: `loadOlder()` asks for them. */
  olderMessages: boolean;
  outbox: OutgoingMessage[];
  /** The latest problem to show next to the input, in plain words. */
  error: string | null;
  /**
   * The room would not let this connection in (`not_invited`: a private room, and no live invite
   * made the user a member; `invalid_invite`: the invite is not even a code). The client has
   * stopped: entering again would be refused again.
   */
  refused: 'not_invited' | 'invalid_invite' | 'removed' | null;
  /** On `removed`: the handle of who removed the user from this room. */
  removedBy: string | null;
  /**
   * Until when (ISO 8601) the user is muted in this room, as far as the page knows (`muted` on
   * sending, or a `moderation` frame about them); `null` once it ends or they are unmuted.
   */
  mutedUntil: string | null;
  privateRooms: PrivateRoomsState;
  blocks: BlocksState;
  /** The other members typing now, in the order they started (`typing` frames, until each one's `expiresAt` or message). */
  typing: string[];
}

/** The part of the browser's WebSocket the client uses. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface ChatClientOptions {
  websocketUrl: string;
  roomId: string;
  username: string;
  /** Who is sending, sent on every `on-enter-room` (src/guestKey.ts). */
  guestKey: string;
  /** A private room's invite code (the link's fragment): sent on the entries until the `room` frame comes. */
  invite?: string | null;
  /** The room frame came for an entry that carried the invite: the user is a member now, the code no longer needed. */
  onInviteUsed?: () => void;
  /** The subprotocols to offer on each new socket (src/auth/socketProtocols.ts): none for a guest. */
  protocols?: () => string[];
  /** The server closed the connection because its token expired: renew it, then call `reconnect()`. */
  onTokenExpired?: () => void;
  /**
   * The chat signed this user out, unasked (`signed_out`: another tab or device, or an operator):
   * the client has stopped, and never reconnects with the token it had.
   */
  onSignedOut?: () => void;
  createSocket?: (url: string, protocols: string[]) => SocketLike;
  /** A number in [0, 1) for the reconnect jitter. */
  random?: () => number;
  newClientMessageId?: () => string;
  outboxStore?: OutboxStore;
}

const SOCKET_OPEN = 1;
export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;
/** How long the page waits for the `room` frame after asking to enter. */
export const ENTER_TIMEOUT_MS = 10_000;
/** How long a sent message may wait for its echo before it is marked unsent. */
export const ACK_TIMEOUT_MS = 15_000;
/** How long a ping may wait for any frame before the connection is taken for dead. */
export const PONG_TIMEOUT_MS = 10_000;
/** The timeline keeps its newest items up to this many (a room flooding presence lines cannot slow the tab); older messages come back on request. */
export const MAX_TIMELINE_ITEMS = 1_000;
/** The refusals an `on-delete-message` may get (no `clientMessageId`): the message stays, and the page says why. */
const DELETION_REFUSALS = new Set(['not_own_message', 'unknown_message', 'invalid_seq', 'muted', 'rate_limited', 'busy', 'room_mismatch']);
/** How long `signOut()` waits for the chat's `signed_out` (or the socket's close) before it gives up. */
export const SIGN_OUT_TIMEOUT_MS = 3_000;
/** Numbered variants the page takes in a row when its name is taken in the room (`name_taken`). */
export const MAX_NAME_VARIANTS = 3;
/**
 * The page says it is typing at most this often: the chat forwards one a `typingIntervalSeconds`,
 * and half a second more keeps a frame the network brings sooner than the one before from being dropped.
 */
export const TYPING_INTERVAL_MS = TYPING_INTERVAL_SECONDS * 1000 + 500;
/** How long another member shows as typing after their `typing` frame arrives (its `expiresAt` is the server's clock). */
export const TYPING_SHOWN_MS = TYPING_SHOWN_SECONDS * 1000;
/** How long a private rooms' action may wait for its answer. */
export const ACTION_TIMEOUT_MS = 15_000;
export const OFFLINE_ACTION_TEXT = 'The chat is not connected right now. Try again once it is back online.';

const OWNER_ACTIONS: RoomAction[] = ['create-invite', 'list-invites', 'revoke-invite', 'add-member'];
export const MODERATION_ACTIONS: ModerationAction[] = ['set-role', 'remove-member', 'mute-member', 'hand-over'];
export const BLOCK_ACTIONS: BlockAction[] = ['block-user', 'unblock-user', 'list-blocks'];
/** The actions a room's member may take on it (a non-member is told `not_invited`). */
const MEMBER_ACTIONS: RoomAction[] = [...OWNER_ACTIONS, ...MODERATION_ACTIONS];

/** An action answered to this connection alone: a private room's, or a blocking one. */
type Action = RoomAction | BlockAction;

function isBlockAction(action: Action): action is BlockAction {
  return (BLOCK_ACTIONS as Action[]).includes(action);
}

/** Error codes only the actions get, and which of them each may answer (the contract's `errorCodes`). */
const ACTION_ONLY_CODES: Record<string, Action[]> = {
  not_room_owner: [...OWNER_ACTIONS, 'set-role', 'hand-over'],
  not_moderator: ['remove-member', 'mute-member'],
  not_a_member: MODERATION_ACTIONS,
  cannot_moderate: MODERATION_ACTIONS,
  too_many_invites: ['create-invite'],
  too_many_rooms: ['create-room'],
  unknown_handle: ['add-member', 'block-user', 'unblock-user'],
  not_signed_in: ['create-room', 'list-rooms', ...BLOCK_ACTIONS],
  cannot_block: ['block-user'],
  too_many_blocks: ['block-user'],
};
/** Error codes an entry may get too: an action's when no entry waits for its answer. */
const ANY_REQUEST_CODES: Record<string, Action[] | null> = {
  not_invited: MEMBER_ACTIONS,
  invalid_invite: MEMBER_ACTIONS,
  invalid_username: ['add-member', ...MODERATION_ACTIONS, 'block-user', 'unblock-user'], // a handle that cannot be one
  unknown_action: null,
  rate_limited: null,
  busy: null,
  invalid_frame: null,
  invalid_json: null,
};

/** The error codes the page gives to a waiting action, a private room's or a blocking one (each a contract code: test/contract.test.ts). */
export const ROOM_ACTION_ERROR_CODES: string[] = [...Object.keys(ACTION_ONLY_CODES), ...Object.keys(ANY_REQUEST_CODES)];

/** Which actions each answer answers. */
const ANSWERED_BY: Record<RoomActionReply['type'], RoomAction[]> = {
  room_created: ['create-room'],
  rooms: ['list-rooms'],
  invite: ['create-invite'],
  invites: ['list-invites', 'revoke-invite'],
  member_added: ['add-member'],
};

/** Which action of its actor each moderation frame answers. */
const MODERATION_ANSWERS: Record<ModerationEvent, ModerationAction> = {
  role_changed: 'set-role',
  removed: 'remove-member',
  muted: 'mute-member',
  unmuted: 'mute-member',
  handed_over: 'hand-over',
};

/** Handles as the page compares them (the moderation frames' `by` and `target` with its own name): the same letters, whatever their case. */
export function sameHandle(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

const NO_PRIVATE_ROOMS: PrivateRoomsState = {
  rooms: null,
  createdRoomId: null,
  invites: null,
  newInvite: null,
  addedMember: null,
  role: null,
  knownRoles: {},
  pending: [],
  error: null,
};

const NO_BLOCKS: BlocksState = { handles: [], listed: false, pending: [], error: null, unblocked: null };

/** An action sent and not answered yet: a private room's, or a blocking one with whom it is about. */
interface WaitingAction {
  action: Action;
  handle: string | null;
}

/** The handles, each once (as sameHandle compares them), in alphabetical order. */
function handleSet(handles: string[]): string[] {
  const unique = handles.filter((handle, index) => handles.findIndex((other) => sameHandle(other, handle)) === index);
  return unique.sort((a, b) => a.localeCompare(b));
}

type Timer = ReturnType<typeof setTimeout>;

interface TimelineItem {
  entry: TimelineEntry;
  /** Messages sort by their seq; a presence line by the highest seq known when it arrived. */
  seq: number;
  /** 0 for a message; presence lines after it in arrival order. */
  order: number;
}

export function newClientMessageId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID exists only in secure contexts (https, localhost); getRandomValues everywhere.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export class ChatClient {
  private readonly websocketUrl: string;
  private readonly roomId: string;
  private readonly guestKey: string;
  /** Sent on each entry until the `room` frame comes; `null` after (or without one). */
  private invite: string | null;
  private readonly onInviteUsed: (() => void) | null;
  private readonly protocols: () => string[];
  private readonly onTokenExpired: (() => void) | null;
  private readonly onSignedOut: (() => void) | null;
  private readonly createSocket: (url: string, protocols: string[]) => SocketLike;
  private readonly random: () => number;
  private readonly newClientMessageId: () => string;
  private readonly outboxStore: OutboxStore;

  private state: ChatState;
  private readonly listeners = new Set<() => void>();

  private socket: SocketLike | null = null;
  private connection: ConnectionState = NOT_STARTED;
  private failedAttempts = 0;
  private desiredUsername: string;
  /** Said once the room is entered: the name was taken there, and the page took the server's variant. */
  private nameNotice: string | null = null;
  private nameVariantsTried = 0;
  /** A `signOut()` waiting for the chat: ends it (stops the client, settles its promise). */
  private endSignOut: (() => void) | null = null;
  private signingOut: Promise<void> | null = null;

  private reconnectTimer: Timer | null = null;
  private enterTimer: Timer | null = null;
  private idleTimer: Timer | null = null;
  private pongTimer: Timer | null = null;
  private actionTimer: Timer | null = null;
  private muteTimer: Timer | null = null;
  private readonly ackTimers = new Map<string, Timer>();
  /** Each member shown typing, and the timer that stops showing it. */
  private readonly typers = new Map<string, Timer>();
  /** When this page last said it is typing (epoch ms; 0: not on this socket). */
  private typingSentAt = 0;
  /** The actions sent on this socket and not answered yet, oldest first (`privateRooms.pending` and `blocks.pending` show them). */
  private waiting: WaitingAction[] = [];

  private readonly timelineItems: TimelineItem[] = [];
  private readonly messageIds = new Set<string>();
  private readonly knownSeqs = new Set<number>();
  private readonly ownClientMessageIds = new Set<string>();
  private highestSeq = 0;
  /** Presence and moderation lines so far: each line's place among those at one seq. */
  private presenceLines = 0;
  /** How many timeline items are kept: `MAX_TIMELINE_ITEMS`, plus the older pages the user asked for. */
  private timelineLimit = MAX_TIMELINE_ITEMS;
  /** Messages were dropped from the start of the timeline to keep it within its limit. */
  private trimmedMessages = false;
  /** The `beforeSeq` of the page of older messages asked for and not answered yet. */
  private requestedBeforeSeq: number | null = null;
  /** Every message up to this seq is here; re-entering asks only for what came after. `null` before the first entry. */
  private syncedSeq: number | null = null;
  /** The `afterSeq` of the latest `on-enter-room` sent, to tell a page of missed messages from a first entry. */
  private requestedAfterSeq: number | null = null;
  /** The seq of the message `deleteMessage` asked to delete, until its `delete` or a refusal comes. */
  private pendingDeletion: number | null = null;

  constructor(options: ChatClientOptions) {
    this.websocketUrl = options.websocketUrl;
    this.roomId = options.roomId;
    this.guestKey = options.guestKey;
    this.invite = options.invite ?? null;
    this.onInviteUsed = options.onInviteUsed ?? null;
    this.desiredUsername = options.username;
    this.protocols = options.protocols ?? (() => []);
    this.onTokenExpired = options.onTokenExpired ?? null;
    this.onSignedOut = options.onSignedOut ?? null;
    // A guest's socket is opened exactly as the seed's page opens it: no subprotocol offered.
    this.createSocket =
      options.createSocket ?? ((url, protocols) => (protocols.length > 0 ? new WebSocket(url, protocols) : new WebSocket(url)));
    this.random = options.random ?? Math.random;
    this.newClientMessageId = options.newClientMessageId ?? newClientMessageId;
    this.outboxStore = options.outboxStore ?? sessionOutboxStore(options.roomId);
    const outbox = this.outboxStore.load();
    for (const item of outbox) this.ownClientMessageIds.add(item.clientMessageId);
    this.state = {
      status: 'connecting',
      username: options.username,
      members: [],
      guests: [],
      timeline: [],
      olderMessages: false,
      outbox,
      error: null,
      refused: null,
      removedBy: null,
      mutedUntil: null,
      privateRooms: NO_PRIVATE_ROOMS,
      blocks: NO_BLOCKS,
      typing: [],
    };
  }

  getState = (): ChatState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    if (!this.stopped) return;
    this.move('start');
    document.addEventListener('visibilitychange', this.handleVisibilityChange);
    window.addEventListener('online', this.wake);
    this.openSocket();
  }

  stop(): void {
    this.move('stop');
    document.removeEventListener('visibilitychange', this.handleVisibilityChange);
    window.removeEventListener('online', this.wake);
    this.closeSocket();
    this.clearTimer(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearTimer(this.muteTimer);
    this.muteTimer = null;
    const endSignOut = this.endSignOut;
    this.endSignOut = null;
    endSignOut?.();
  }

  /**
   * Signs the user out of the chat everywhere (`sign-out`): every connection of hers gets
   * `signed_out` and is closed, and her tokens issued until now are refused. Settles when this
   * socket gets `signed_out` or closes, after SIGN_OUT_TIMEOUT_MS at the latest, and at once
   * when no socket is open; the client is stopped then, so it never reconnects with this token.
   */
  signOut(): Promise<void> {
    if (this.stopped || this.socket?.readyState !== SOCKET_OPEN) {
      this.stop();
      return Promise.resolve();
    }
    this.signingOut ??= new Promise((resolve) => {
      const timer = setTimeout(() => this.stop(), SIGN_OUT_TIMEOUT_MS);
      this.endSignOut = () => {
        clearTimeout(timer);
        this.signingOut = null;
        resolve();
      };
      this.transmit(SIGN_OUT);
    });
    return this.signingOut;
  }

  /** Sends a message now if the room is entered, else queues it until it is. */
  send(text: string): void {
    const clientMessageId = this.newClientMessageId();
    this.ownClientMessageIds.add(clientMessageId);
    this.update({
      error: null,
      outbox: [...this.state.outbox, { clientMessageId, text, state: 'queued', failure: null }],
    });
    if (this.inRoom) this.transmitMessage(clientMessageId);
  }

  /** Sends an unsent message again under the same clientMessageId, so the server never stores it twice. */
  retry(clientMessageId: string): void {
    this.setOutgoing(clientMessageId, { state: 'queued', failure: null });
    if (this.inRoom) this.transmitMessage(clientMessageId);
  }

  discard(clientMessageId: string): void {
    this.clearAckTimer(clientMessageId);
    this.update({ outbox: this.state.outbox.filter((item) => item.clientMessageId !== clientMessageId) });
  }

  /** Ask for the page of messages before the timeline's oldest (`beforeSeq`), once at a time. */
  loadOlder(): void {
    const oldest = this.timelineItems.find((item) => item.entry.kind === 'message')?.seq ?? this.highestSeq + 1;
    if (!this.inRoom || !this.state.olderMessages || this.requestedBeforeSeq !== null || oldest <= 1) return;
    this.requestedBeforeSeq = oldest;
    this.transmit(enterRoomFrame(this.roomId, this.desiredUsername, null, this.guestKey, oldest));
    this.armEnterTimer();
  }

  /** Deletes a message of the room (`on-delete-message`): one's own, or as a private room's owner or moderator anyone's. */
  deleteMessage(seq: number): void {
    if (!this.inRoom) return;
    this.pendingDeletion = seq;
    this.update({ error: null });
    this.transmit(deleteMessageFrame(seq));
  }

  /** The user is typing: the others are told, once a TYPING_INTERVAL_MS at most, while the page is in the room. */
  typing(): void {
    const now = Date.now();
    if (!this.inRoom || now - this.typingSentAt < TYPING_INTERVAL_MS) return;
    this.typingSentAt = now;
    this.transmit(TYPING);
  }

  /** Changes the display name: re-enters the room under the new name (the others see a rename). */
  rename(username: string): void {
    this.desiredUsername = username;
    this.update({ error: null });
    if (this.socket?.readyState === SOCKET_OPEN) this.sendEnter(this.syncedSeq);
  }

  // ------------------------------------------------------------ private rooms (signed in)

  /** A new private room (`create-room`): its id comes in `privateRooms.createdRoomId`. */
  createRoom(): void {
    this.sendRoomAction(CREATE_ROOM);
  }

  /** The user's private rooms and role in each (`list-rooms`), in `privateRooms.rooms`. */
  listRooms(): void {
    this.sendRoomAction(LIST_ROOMS);
  }

  /** An invite to this room (its owner only), for `expiresInSeconds` or the chat's default lifetime. */
  createInvite(expiresInSeconds: number | null = null): void {
    this.sendRoomAction(createInviteFrame(this.roomId, expiresInSeconds));
  }

  listInvites(): void {
    this.sendRoomAction(listInvitesFrame(this.roomId));
  }

  revokeInvite(code: string): void {
    this.sendRoomAction(revokeInviteFrame(this.roomId, code));
  }

  /** Makes the signed-in user holding `handle` a member of this room (its owner only). */
  addMember(handle: string): void {
    this.sendRoomAction(addMemberFrame(this.roomId, handle));
  }

  // ------------------------------------------------------------ moderation (private rooms)

  /** The owner makes `handle` a moderator, or a moderator a member again; answered with `moderation`. */
  setRole(handle: string, role: 'moderator' | 'member'): void {
    this.sendRoomAction(setRoleFrame(this.roomId, handle, role));
  }

  /** The owner or a moderator removes `handle` from this room; answered with `moderation`. */
  removeMember(handle: string): void {
    this.sendRoomAction(removeMemberFrame(this.roomId, handle));
  }

  /** The owner or a moderator mutes `handle` for `seconds`, or unmutes them with 0; answered with `moderation`. */
  muteMember(handle: string, seconds: number): void {
    this.sendRoomAction(muteMemberFrame(this.roomId, handle, seconds));
  }

  /** The owner hands this room over to `handle`, staying as a moderator; answered with `moderation`. */
  handOver(handle: string): void {
    this.sendRoomAction(handOverFrame(this.roomId, handle));
  }

  // ------------------------------------------------------------ blocking (signed in)

  /** Whom the user blocks (`list-blocks`): `blocks.handles`, then `blocks.listed`. */
  listBlocks(): void {
    this.sendAction(LIST_BLOCKS);
  }

  /** The chat stops sending this user `handle`'s messages (`block-user`); those shown here are hidden at once. */
  blockUser(handle: string): void {
    this.sendAction(blockUserFrame(handle));
  }

  /** `handle`'s messages reach this user again (`unblock-user`); those hidden here come back with a reload. */
  unblockUser(handle: string): void {
    this.sendAction(unblockUserFrame(handle));
  }

  /** Replaces the connection now (a renewed token): the room is entered again and what was missed filled in. */
  reconnect(): void {
    if (this.stopped) return;
    this.closeSocket();
    this.move('lost');
    this.clearTimer(this.reconnectTimer);
    this.failedAttempts = 0;
    this.openSocket();
  }

  // ------------------------------------------------------------ connection

  private openSocket(): void {
    this.reconnectTimer = null;
    const socket = this.createSocket(this.websocketUrl, this.protocols());
    this.socket = socket;
    this.armEnterTimer(); // a handshake that hangs counts as a failed try too
    socket.onopen = () => {
      this.move(this.syncedSeq === null ? 'openedAfresh' : 'openedCatchingUp');
      this.sendEnter(this.syncedSeq);
    };
    socket.onmessage = (event) => this.handleFrame(event.data);
    socket.onclose = () => {
      if (this.socket === socket) this.dropConnection();
    };
  }

  /** Closes the socket and stops its timers; what was in flight goes back to the queue. */
  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    this.requestedBeforeSeq = null; // a page of older messages asked for on this socket will not come
    for (const timer of [this.enterTimer, this.idleTimer, this.pongTimer, this.actionTimer]) this.clearTimer(timer);
    this.enterTimer = this.idleTimer = this.pongTimer = this.actionTimer = null;
    // The answers were for this socket: an action may or may not have been done; the user tries again.
    this.loseWaitingActions();
    for (const clientMessageId of [...this.ackTimers.keys()]) this.clearAckTimer(clientMessageId);
    this.stopTyping(...this.typers.keys()); // who types is told live only: a new socket starts with no one
    this.typingSentAt = 0;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.close();
    }
    if (this.state.outbox.some((item) => item.state === 'sending')) {
      this.update({
        outbox: this.state.outbox.map((item) => (item.state === 'sending' ? { ...item, state: 'queued' } : item)),
      });
    }
  }

  /** The connection is gone (closed, or silent): plan a reconnect; while signing out, that is the end. */
  private dropConnection(): void {
    if (this.endSignOut !== null) {
      this.stop();
      return;
    }
    this.closeSocket();
    this.move('lost');
    this.scheduleReconnect();
  }

  /** Exponential backoff with full jitter: a random delay up to 1 s, 2 s, 4 s … capped at 30 s. */
  private scheduleReconnect(): void {
    if (this.stopped) return;
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** this.failedAttempts);
    this.failedAttempts += 1;
    this.reconnectTimer = setTimeout(() => this.openSocket(), Math.floor(this.random() * ceiling));
  }

  private readonly handleVisibilityChange = (): void => {
    if (document.visibilityState === 'visible') this.wake();
  };

  /** The tab woke up or the network came back: reconnect now rather than at the end of the backoff, or check the socket still works. */
  private readonly wake = (): void => {
    if (this.stopped) return;
    if (this.reconnectTimer !== null) {
      this.clearTimer(this.reconnectTimer);
      this.failedAttempts = 0;
      this.openSocket();
    } else if (this.inRoom) {
      this.sendPing();
    }
  };

  private transmit(frame: ClientFrame): void {
    if (this.socket?.readyState !== SOCKET_OPEN) return;
    this.socket.send(JSON.stringify(frame));
    this.clearTimer(this.idleTimer);
    this.idleTimer = setTimeout(() => this.sendPing(), PING_INTERVAL_MS);
  }

  private sendPing(): void {
    this.transmit(PING);
    if (this.pongTimer === null) this.pongTimer = setTimeout(() => this.dropConnection(), PONG_TIMEOUT_MS);
  }

  private sendEnter(afterSeq: number | null): void {
    this.requestedAfterSeq = afterSeq;
    this.transmit(enterRoomFrame(this.roomId, this.desiredUsername, afterSeq, this.guestKey, null, this.invite));
    this.armEnterTimer();
  }

  private armEnterTimer(): void {
    this.clearTimer(this.enterTimer);
    this.enterTimer = setTimeout(() => this.dropConnection(), ENTER_TIMEOUT_MS);
  }

  private transmitMessage(clientMessageId: string): void {
    const item = this.state.outbox.find((candidate) => candidate.clientMessageId === clientMessageId);
    if (!item) return;
    this.transmit(sendMessageFrame(this.roomId, item.text, clientMessageId));
    this.setOutgoing(clientMessageId, { state: 'sending' });
    this.clearAckTimer(clientMessageId);
    this.ackTimers.set(
      clientMessageId,
      setTimeout(() => this.markUnsent(clientMessageId, NO_REPLY_TEXT), ACK_TIMEOUT_MS),
    );
  }

  // ------------------------------------------------------------ frames in

  private handleFrame(data: unknown): void {
    this.clearTimer(this.pongTimer);
    this.pongTimer = null;
    const frame = parseServerFrame(data);
    if (!frame) return;
    switch (frame.type) {
      case 'room':
        this.handleRoom(frame);
        break;
      case 'message':
        this.stopTyping(frame.username);
        this.addMessage(frame);
        this.advanceSyncedSeq();
        this.publishTimeline();
        break;
      case 'presence':
        this.handlePresence(frame);
        break;
      case 'error':
        this.handleError(frame);
        break;
      case 'gateway-error':
        this.handleGatewayError();
        break;
      case 'signed_out':
        this.handleSignedOut();
        break;
      case 'pong':
        break;
      case 'moderation':
        this.handleModeration(frame);
        break;
      case 'delete':
        if (this.applyChange(frame)) this.publishTimeline();
        break;
      case 'typing':
        this.handleTyping(frame);
        break;
      case 'removed':
        this.handleRemoved(frame.roomId, frame.by);
        break;
      case 'blocked':
        this.handleBlocked(frame.handle);
        break;
      case 'unblocked':
        this.handleUnblocked(frame.handle);
        break;
      case 'blocks':
        this.handleBlocks(frame.handles);
        break;
      default:
        this.handleRoomActionReply(frame);
    }
  }

  private handleRoom(frame: RoomFrame): void {
    this.clearTimer(this.enterTimer);
    this.enterTimer = null;
    const justEntered = !this.inRoom;
    this.failedAttempts = 0;
    this.desiredUsername = frame.username;
    this.nameVariantsTried = 0;
    if (this.invite !== null) {
      this.invite = null; // a member now: later entries need no invite
      this.onInviteUsed?.();
    }
    if (this.requestedBeforeSeq !== null) {
      this.requestedBeforeSeq = null;
      this.timelineLimit += frame.history.length + (frame.changes?.length ?? 0); // asked for: kept beside the newest
      for (const message of frame.history) this.addMessage(message);
      for (const change of frame.changes ?? []) this.applyChange(change);
      this.update({
        members: frame.members,
        guests: frame.guests ?? [],
        timeline: this.timelineEntries(),
        olderMessages: frame.more,
      });
      return;
    }
    const requested = this.requestedAfterSeq;
    if (frame.more && requested !== null) {
      // Back after a long absence: more was missed than a page. The latest page at once, and the
      // older ones on request, rather than one request per page of everything missed.
      this.forgetTimeline();
      this.move('enteringAfresh');
      this.sendEnter(null);
      return;
    }
    this.move('entered');
    for (const message of frame.history) this.addMessage(message);
    for (const change of frame.changes ?? []) this.applyChange(change);
    const pageEnd = Math.max(frame.history.at(-1)?.seq ?? 0, frame.changes?.at(-1)?.seq ?? 0) || requested;
    this.syncedSeq = Math.max(this.syncedSeq ?? 0, pageEnd ?? 0);
    this.advanceSyncedSeq();

    this.update({
      username: frame.username,
      members: frame.members,
      guests: frame.guests ?? [],
      timeline: this.timelineEntries(),
      ...(requested === null ? { olderMessages: frame.more || this.trimmedMessages } : {}),
      ...(justEntered ? { error: this.nameNotice } : {}),
    });
    this.nameNotice = null;
    for (const item of this.state.outbox) {
      if (item.state === 'queued') this.transmitMessage(item.clientMessageId);
    }
  }

  private handlePresence(frame: PresenceFrame): void {
    const members = [...this.state.members];
    const removeOne = (name: string): void => {
      const index = members.indexOf(name);
      if (index >= 0) members.splice(index, 1);
    };
    if (frame.event === 'join') members.push(frame.username);
    const usernames = frame.usernames ?? [frame.username];
    if (frame.event === 'leave') usernames.forEach(removeOne);
    if (frame.event === 'leave') this.stopTyping(...usernames);
    if (frame.event === 'rename' && frame.previousUsername !== undefined) this.stopTyping(frame.previousUsername);
    if (frame.event === 'rename') {
      if (frame.previousUsername !== undefined) removeOne(frame.previousUsername);
      members.push(frame.username);
    }
    this.presenceLines += 1;
    this.insertItem({
      seq: this.highestSeq,
      order: this.presenceLines,
      entry: {
        kind: 'presence',
        key: `presence-${this.presenceLines}`,
        event: frame.event,
        username: frame.username,
        previousUsername: frame.previousUsername ?? null,
        usernames,
      },
    });
    const guests = this.state.guests.filter((name) => members.includes(name));
    if (frame.guest && frame.event !== 'leave' && !guests.includes(frame.username)) guests.push(frame.username);
    this.update({
      members,
      guests,
      timeline: this.timelineEntries(),
      olderMessages: this.state.olderMessages || this.trimmedMessages,
    });
  }

  /**
   * Another member is typing: shown for TYPING_SHOWN_MS from the frame's arrival (by this page's
   * clock, whatever the server's says in `expiresAt`), or until their message or their leaving.
   */
  private handleTyping(frame: TypingEventFrame): void {
    if (frame.roomId !== this.roomId || frame.username === this.state.username) return;
    this.clearTimer(this.typers.get(frame.username) ?? null);
    const starts = !this.typers.has(frame.username);
    this.typers.set(
      frame.username,
      setTimeout(() => this.stopTyping(frame.username), TYPING_SHOWN_MS),
    );
    if (starts) this.update({ typing: [...this.typers.keys()] });
  }

  private stopTyping(...usernames: string[]): void {
    let stopped = false;
    for (const username of usernames) {
      const timer = this.typers.get(username);
      if (timer === undefined) continue;
      this.clearTimer(timer);
      this.typers.delete(username);
      stopped = true;
    }
    if (stopped) this.update({ typing: [...this.typers.keys()] });
  }

  /** The chat closes this connection next and refuses its token: stop here, never reconnect with it. */
  private handleSignedOut(): void {
    if (this.endSignOut !== null) {
      this.stop(); // the answer to this page's own `sign-out`
      return;
    }
    if (this.onSignedOut === null) return; // a guest's connection: no sign-in to end, reconnect as usual
    this.stop();
    this.onSignedOut();
  }

  private handleError(frame: ErrorFrame): void {
    const { code, clientMessageId } = frame;
    if (code === 'not_signed_in' && this.endSignOut !== null) {
      this.stop(); // the chat holds this connection as a guest's: nothing to sign out of there
      return;
    }
    if (code === 'not_connected') {
      this.dropConnection(); // the server forgot this connection: a new one gets a new registration
      return;
    }
    if (code === 'token_expired' && this.onTokenExpired !== null) {
      // The server closes this connection: the page renews its token and reconnects with the new one.
      this.closeSocket();
      this.move('lost');
      this.onTokenExpired();
      return;
    }
    if (this.pendingDeletion !== null && clientMessageId === undefined && DELETION_REFUSALS.has(code)) {
      this.pendingDeletion = null; // the deletion was refused: the message stays
      if (code === 'muted') this.handleMutedRefusal(frame);
      else this.update({ error: errorText(code) });
      return;
    }
    const refusedAction = clientMessageId === undefined ? this.refusedAction(code) : -1;
    if (refusedAction >= 0) {
      this.failWaitingAction(refusedAction, code);
      return;
    }
    if (code === 'not_invited' || (code === 'invalid_invite' && !this.inRoom)) {
      // A private room that does not let this user in: entering again would be refused again.
      this.stop();
      this.update({ refused: code, error: null });
      return;
    }
    if (code === 'not_in_room') {
      // The server no longer has this connection in the room: enter again; queued messages follow the `room` frame.
      if (clientMessageId !== undefined) {
        this.clearAckTimer(clientMessageId);
        this.setOutgoing(clientMessageId, { state: 'queued' });
      }
      this.move('leftRoom');
      this.sendEnter(this.syncedSeq);
      return;
    }
    if (code === 'invalid_after_seq' && this.requestedAfterSeq !== null) {
      // The room has no message as far as the page's (its history was reset): its seqs are not
      // this room's. Forget them and enter afresh, for the latest messages.
      this.forgetTimeline();
      this.move('enteringAfresh');
      this.sendEnter(null);
      return;
    }
    if (code === 'muted') {
      this.handleMutedRefusal(frame);
      return;
    }
    if (clientMessageId !== undefined && this.ownClientMessageIds.has(clientMessageId)) {
      this.markUnsent(clientMessageId, errorText(code));
      this.update({ error: errorText(code) });
      return;
    }
    const requested = this.requestedAfterSeq;
    const older = this.requestedBeforeSeq;
    if (code === 'rate_limited' && this.inRoom && (older !== null || (requested !== null && this.desiredUsername === this.state.username))) {
      // A page of history asked for faster than the server answers them: ask again when it does.
      this.clearTimer(this.enterTimer);
      this.requestedBeforeSeq = null;
      const again = older !== null ? () => this.loadOlder() : () => this.sendEnter(requested);
      this.enterTimer = setTimeout(again, frame.retryAfterMs ?? RECONNECT_BASE_MS);
      return;
    }
    if (code === 'name_taken') {
      this.handleNameTaken(frame.suggestedUsername);
      return;
    }
    if (code === 'invalid_username' || (code === 'rate_limited' && this.inRoom)) {
      this.desiredUsername = this.state.username; // the rename was refused: keep the name the server knows
      this.clearTimer(this.enterTimer);
      this.enterTimer = null;
      if (code === 'rate_limited') {
        this.update({ error: renameLimitedText(frame.retryAfterMs) });
        return;
      }
    } else if (!this.inRoom) {
      this.dropConnection(); // entering failed (room full, busy…): try again after a while
    }
    this.update({ error: errorText(code) });
  }

  /**
   * Entering, the page takes the server's numbered variant ("Ada 2") and says so once it is in; a
   * rename keeps the name the room knows and offers the variant. A few variants at most, since
   * each refusal counts against the connection's refusal budget.
   */
  private handleNameTaken(suggestion: string | undefined): void {
    const refused = this.desiredUsername;
    this.clearTimer(this.enterTimer);
    this.enterTimer = null;
    if (!this.inRoom && suggestion !== undefined && this.nameVariantsTried < MAX_NAME_VARIANTS) {
      this.nameVariantsTried += 1;
      this.nameNotice = nameTakenText(refused, suggestion, true);
      this.desiredUsername = suggestion;
      this.sendEnter(this.syncedSeq);
      return;
    }
    if (this.inRoom) this.desiredUsername = this.state.username;
    this.update({ error: nameTakenText(refused, suggestion, false) });
  }

  /** API Gateway answers `Internal server error` when a Lambda fails; the frame does not say which request failed. */
  private handleGatewayError(): void {
    if (!this.inRoom) {
      this.dropConnection();
      return;
    }
    for (const item of this.state.outbox) {
      if (item.state === 'sending') this.markUnsent(item.clientMessageId, GATEWAY_ERROR_TEXT);
    }
    this.update({ error: GATEWAY_ERROR_TEXT });
  }

  // ------------------------------------------------------------ private rooms' answers

  private sendRoomAction(frame: RoomActionFrame): void {
    this.sendAction(frame);
  }

  /** Sends an action answered to this connection alone; offline, says so where its answer would show. */
  private sendAction(frame: RoomActionFrame | BlockActionFrame): void {
    const handle = isBlockAction(frame.action) && 'handle' in frame ? frame.handle : null;
    if (this.stopped || this.socket?.readyState !== SOCKET_OPEN) {
      this.failAction({ action: frame.action, handle }, OFFLINE_ACTION_TEXT);
      return;
    }
    this.transmit(frame);
    this.waiting = [...this.waiting, { action: frame.action, handle }];
    if (isBlockAction(frame.action)) {
      this.updateBlocks({ pending: this.blockRequests(), error: null, ...(frame.action === 'unblock-user' ? { unblocked: null } : {}) });
    } else {
      this.updatePrivateRooms({
        pending: this.roomActions(),
        error: null,
        ...(frame.action === 'add-member' ? { addedMember: null } : {}),
        ...(frame.action === 'create-room' ? { createdRoomId: null } : {}),
      });
    }
    this.armActionTimer();
  }

  private roomActions(): RoomAction[] {
    return this.waiting.flatMap(({ action }) => (isBlockAction(action) ? [] : [action]));
  }

  private blockRequests(): BlockRequest[] {
    return this.waiting.flatMap(({ action, handle }) => (isBlockAction(action) ? [{ action, handle }] : []));
  }

  /** Publishes the waiting actions, each kind in its own part of the state. */
  private publishWaiting(): void {
    const pending = this.roomActions();
    const blockPending = this.blockRequests();
    if (pending.length !== this.state.privateRooms.pending.length) this.updatePrivateRooms({ pending });
    if (blockPending.length !== this.state.blocks.pending.length) this.updateBlocks({ pending: blockPending });
  }

  /** One timer for the oldest action waiting: with no answer in time, every action waiting is taken for lost. */
  private armActionTimer(): void {
    this.clearTimer(this.actionTimer);
    this.actionTimer = null;
    if (this.waiting.length === 0) return;
    this.actionTimer = setTimeout(() => {
      this.actionTimer = null;
      this.loseWaitingActions();
    }, ACTION_TIMEOUT_MS);
  }

  /** No answer will come for what waits: the oldest of each kind says so where its answer would have shown. */
  private loseWaitingActions(): void {
    const oldestRoomAction = this.waiting.find(({ action }) => !isBlockAction(action));
    const oldestBlockAction = this.waiting.find(({ action }) => isBlockAction(action));
    this.waiting = [];
    if (oldestRoomAction) this.failAction(oldestRoomAction, NO_REPLY_TEXT);
    if (oldestBlockAction) this.failAction(oldestBlockAction, NO_REPLY_TEXT);
  }

  /**
   * Takes the oldest waiting action among `actions` off the list (about `handle`, when one is
   * about it); `false` when none of them waits.
   */
  private settleAction(actions: Action[], handle: string | null = null): boolean {
    const candidates = this.waiting.filter((item) => actions.includes(item.action));
    const settled = candidates.find((item) => handle !== null && item.handle !== null && sameHandle(item.handle, handle)) ?? candidates[0];
    if (settled === undefined) return false;
    this.waiting = this.waiting.filter((item) => item !== settled);
    this.publishWaiting();
    this.armActionTimer();
    return true;
  }

  private settleRoomAction(actions: RoomAction[]): boolean {
    return this.settleAction(actions);
  }

  /**
   * The oldest waiting action an error frame may answer: when only actions get its code, or when
   * no entry waits for its answer; `-1` when it is not an action's.
   */
  private refusedAction(code: string): number {
    let actions: Action[] | null | undefined = ACTION_ONLY_CODES[code];
    if (actions === undefined) {
      if (!(code in ANY_REQUEST_CODES) || !this.inRoom || this.enterTimer !== null) return -1;
      actions = ANY_REQUEST_CODES[code];
    }
    return this.waiting.findIndex(({ action }) => actions === null || actions?.includes(action));
  }

  private failWaitingAction(index: number, code: string): void {
    const failed = this.waiting[index];
    if (failed === undefined) return;
    this.waiting = this.waiting.filter((item) => item !== failed);
    this.failAction(failed, errorText(code));
    this.armActionTimer();
  }

  /** An action refused, lost or not sent: said where its answer would have shown, with what is still waiting. */
  private failAction({ action, handle }: WaitingAction, text: string): void {
    if (isBlockAction(action)) {
      this.updateBlocks({ pending: this.blockRequests(), error: { action, handle, text } });
    } else {
      this.updatePrivateRooms({ pending: this.roomActions(), error: { action, text } });
    }
  }

  private handleRoomActionReply(frame: RoomActionReply): void {
    if (frame.type !== 'rooms' && frame.type !== 'room_created' && frame.roomId !== this.roomId) return; // about another room
    if (!this.settleRoomAction(ANSWERED_BY[frame.type])) return; // nothing asked for this
    const current = this.state.privateRooms;
    switch (frame.type) {
      case 'room_created':
        this.updatePrivateRooms({ createdRoomId: frame.roomId });
        break;
      case 'rooms': {
        const role = frame.rooms.find((room) => room.roomId === this.roomId)?.role ?? null;
        this.updatePrivateRooms({ rooms: frame.rooms, role });
        break;
      }
      case 'invite': {
        const invite = { code: frame.code, expiresAt: frame.expiresAt };
        const invites = current.invites && [...current.invites.filter((item) => item.code !== invite.code), invite];
        invites?.sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
        this.updatePrivateRooms({ newInvite: invite, invites });
        break;
      }
      case 'invites': {
        const live = current.newInvite && frame.invites.some((item) => item.code === current.newInvite?.code);
        this.updatePrivateRooms({ invites: frame.invites, newInvite: live ? current.newInvite : null });
        break;
      }
      case 'member_added':
        this.updatePrivateRooms({ addedMember: frame.handle });
        break;
    }
  }

  // ------------------------------------------------------------ moderation frames

  /**
   * What the owner or a moderator did, told to every member: a line in this room's timeline, the
   * answer to this user's own waiting action, and the roles (or mute) it changes. About another
   * room: only the user's role in the list of rooms.
   */
  private handleModeration(frame: ModerationEventFrame): void {
    const me = this.state.username;
    const { action, by, target } = frame;
    if (action === 'removed' && sameHandle(target, me)) {
      this.handleRemoved(frame.roomId, by);
      return;
    }
    let ownRole: RoomRole | null = null;
    if (action === 'role_changed' && sameHandle(target, me)) ownRole = frame.role ?? null;
    if (action === 'handed_over') {
      if (sameHandle(target, me)) ownRole = 'owner';
      else if (sameHandle(by, me)) ownRole = 'moderator';
    }
    if (frame.roomId !== this.roomId) {
      if (ownRole !== null) this.setRoleInRooms(frame.roomId, ownRole);
      return;
    }
    if (!this.applyChange(frame)) return; // had already (a page of history brought it first)
    this.publishTimeline();
    if (sameHandle(by, me)) this.settleRoomAction([MODERATION_ANSWERS[action]]);

    const knownRoles = { ...this.state.privateRooms.knownRoles };
    if (action === 'role_changed' && frame.role) {
      knownRoles[target] = frame.role;
      knownRoles[by] = 'owner'; // only the owner sets roles
    }
    if (action === 'handed_over') {
      knownRoles[target] = 'owner';
      knownRoles[by] = 'moderator';
    }
    if (action === 'removed') delete knownRoles[target];
    this.updatePrivateRooms({ knownRoles });
    if (ownRole !== null) {
      this.updatePrivateRooms({ role: ownRole });
      this.setRoleInRooms(this.roomId, ownRole);
    }
    if (sameHandle(target, me) && action === 'muted' && frame.until) this.setMutedUntil(frame.until);
    if (sameHandle(target, me) && action === 'unmuted') this.setMutedUntil(null);
  }

  private setRoleInRooms(roomId: string, role: RoomRole): void {
    const { rooms } = this.state.privateRooms;
    if (rooms?.some((room) => room.roomId === roomId)) {
      this.updatePrivateRooms({ rooms: rooms.map((room) => (room.roomId === roomId ? { ...room, role } : room)) });
    }
  }

  /**
   * The user is no longer a member (`removed`, or the `moderation` frame saying so): this room's
   * socket is closed next, and entering again would be refused, so the client stops for good.
   */
  private handleRemoved(roomId: string, by: string): void {
    const { rooms } = this.state.privateRooms;
    if (rooms?.some((room) => room.roomId === roomId)) {
      this.updatePrivateRooms({ rooms: rooms.filter((room) => room.roomId !== roomId) });
    }
    if (roomId !== this.roomId) return;
    this.stop();
    this.update({ refused: 'removed', removedBy: by, error: null, mutedUntil: null });
  }

  /**
   * `muted` on sending: the message is marked unsent (its text kept; the user may send it again
   * once the mute ends), never retried on its own; the composer says until when.
   */
  private handleMutedRefusal(frame: ErrorFrame): void {
    const { clientMessageId, retryAfterMs } = frame;
    const until = retryAfterMs === undefined ? null : new Date(Date.now() + retryAfterMs);
    const failure = until === null ? errorText('muted') : mutedText(until);
    if (clientMessageId !== undefined && this.ownClientMessageIds.has(clientMessageId)) this.markUnsent(clientMessageId, failure);
    if (until !== null) this.setMutedUntil(until.toISOString());
    else this.update({ error: failure });
  }

  /** The user's mute in this room: said until it ends (then cleared on its own) or a `moderation` frame unmutes them. */
  private setMutedUntil(until: string | null): void {
    this.clearTimer(this.muteTimer);
    this.muteTimer = null;
    const left = until === null ? 0 : Date.parse(until) - Date.now();
    if (until === null || left <= 0) {
      if (this.state.mutedUntil !== null) this.update({ mutedUntil: null });
      return;
    }
    this.muteTimer = setTimeout(() => {
      this.muteTimer = null;
      this.update({ mutedUntil: null });
    }, left);
    this.update({ mutedUntil: until, error: null });
  }

  // ------------------------------------------------------------ blocking's answers

  private isBlocked(message: ChatMessage): boolean {
    if (message.guest || message.isOwnMessage) return false; // a guest's name is never a handle
    return this.state.blocks.handles.some((handle) => sameHandle(handle, message.username));
  }

  /**
   * The chat filters a blocked user's messages from now on; those already in the timeline are
   * taken out here (their ids stay known, so none comes back in a page of history).
   */
  private hideBlockedMessages(): void {
    const before = this.timelineItems.length;
    for (let index = this.timelineItems.length - 1; index >= 0; index -= 1) {
      const { entry } = this.timelineItems[index]!;
      if (entry.kind === 'message' && this.isBlocked(entry.message)) this.timelineItems.splice(index, 1);
    }
    if (this.timelineItems.length !== before) this.publishTimeline();
  }

  private handleBlocked(handle: string): void {
    this.settleAction(['block-user'], handle);
    const { blocks } = this.state;
    this.updateBlocks({
      handles: handleSet([...blocks.handles, handle]),
      unblocked: blocks.unblocked !== null && sameHandle(blocks.unblocked, handle) ? null : blocks.unblocked,
    });
    this.hideBlockedMessages();
  }

  private handleUnblocked(handle: string): void {
    const asked = this.settleAction(['unblock-user'], handle);
    const handles = this.state.blocks.handles.filter((blocked) => !sameHandle(blocked, handle));
    this.updateBlocks({ handles, ...(asked ? { unblocked: handle } : {}) });
  }

  private handleBlocks(handles: string[]): void {
    this.settleAction(['list-blocks']);
    this.updateBlocks({ handles: handleSet(handles), listed: true });
    this.hideBlockedMessages();
  }

  private updateBlocks(change: Partial<BlocksState>): void {
    this.update({ blocks: { ...this.state.blocks, ...change } });
  }

  private updatePrivateRooms(change: Partial<PrivateRoomsState>): void {
    this.update({ privateRooms: { ...this.state.privateRooms, ...change } });
  }

  // ------------------------------------------------------------ messages

  /**
   * A change to the room, from a live frame or a `room` frame's `changes`: a moderation line at its
   * seq, or a deletion applied to its message (which then says who removed it, live and in history
   * alike). Its seq is one of the room's, like a message's, so `syncedSeq` moves over it; the same
   * change twice (live, then again after a reconnect) is applied once. False when it was had
   * already (or is another room's).
   */
  private applyChange(change: RoomChange): boolean {
    if (change.roomId !== this.roomId) return false;
    const { seq } = change;
    if (seq !== undefined) {
      if (this.knownSeqs.has(seq)) return false;
      this.knownSeqs.add(seq);
      this.highestSeq = Math.max(this.highestSeq, seq);
      this.advanceSyncedSeq();
    }
    // A line without a seq (an older server's) goes after what the page holds, as a presence line.
    const place = seq !== undefined ? { seq, order: 0 } : { seq: this.highestSeq, order: ++this.presenceLines };
    if (change.type === 'moderation') {
      const { action, by, target } = change;
      const entry: ModerationEntry = {
        kind: 'moderation',
        key: `moderation-${seq ?? `line-${this.presenceLines}`}`,
        action,
        by,
        target,
        role: change.role ?? null,
        until: change.until ?? null,
      };
      this.insertItem({ ...place, entry });
      return true;
    }
    if (change.targetSeq === this.pendingDeletion) this.pendingDeletion = null;
    this.markDeleted(change.targetSeq, change.by);
    return true;
  }

  /** The message of `targetSeq`, where the timeline holds it, now deleted: its text is dropped. */
  private markDeleted(targetSeq: number, by: string | undefined): void {
    const index = this.timelineItems.findIndex((item) => item.entry.kind === 'message' && item.seq === targetSeq);
    const item = this.timelineItems[index];
    if (item === undefined || item.entry.kind !== 'message') return;
    const message: ChatMessage = { ...item.entry.message, message: '', deleted: true };
    if (by !== undefined) message.deletedBy = by;
    this.timelineItems[index] = { ...item, entry: { ...item.entry, message } };
  }

  private addMessage(message: ChatMessage): void {
    const { clientMessageId } = message;
    if (clientMessageId !== undefined && this.state.outbox.some((item) => item.clientMessageId === clientMessageId)) {
      this.clearAckTimer(clientMessageId);
      this.update({ outbox: this.state.outbox.filter((item) => item.clientMessageId !== clientMessageId) });
    }
    if (this.messageIds.has(message.id)) return;
    this.messageIds.add(message.id);
    this.knownSeqs.add(message.seq);
    this.highestSeq = Math.max(this.highestSeq, message.seq);
    const isOwnMessage =
      message.isOwnMessage || (clientMessageId !== undefined && this.ownClientMessageIds.has(clientMessageId));
    if (this.isBlocked({ ...message, isOwnMessage })) return; // sent before the chat had the block
    this.insertItem({
      seq: message.seq,
      order: 0,
      entry: { kind: 'message', key: `message-${message.id}`, message: { ...message, isOwnMessage } },
    });
  }

  /**
   * Kept in (seq, order) order as items come, so no frame sorts the timeline: live items go at the
   * end, a late or older message where its seq says (a binary search). Beyond the limit the oldest go.
   */
  private insertItem(item: TimelineItem): void {
    const items = this.timelineItems;
    const before = (a: TimelineItem, b: TimelineItem): boolean => a.seq < b.seq || (a.seq === b.seq && a.order < b.order);
    let low = items.length;
    if (low > 0 && before(item, items[low - 1]!)) {
      low = 0;
      let high = items.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (before(item, items[middle]!)) high = middle;
        else low = middle + 1;
      }
    }
    items.splice(low, 0, item);
    if (items.length > this.timelineLimit) {
      const dropped = items.splice(0, items.length - this.timelineLimit);
      if (dropped.some((old) => old.entry.kind === 'message')) this.trimmedMessages = true;
    }
  }

  /** The timeline's messages are not this room's now (a reset, or a long absence): start again from the latest page. */
  private forgetTimeline(): void {
    this.timelineItems.length = 0;
    this.messageIds.clear();
    this.knownSeqs.clear();
    this.highestSeq = 0;
    this.syncedSeq = null;
    this.timelineLimit = MAX_TIMELINE_ITEMS;
    this.trimmedMessages = false;
  }

  /** Live messages may arrive out of order; syncedSeq only moves over an unbroken run of seqs. */
  private advanceSyncedSeq(): void {
    if (this.syncedSeq === null) return;
    while (this.knownSeqs.has(this.syncedSeq + 1)) this.syncedSeq += 1;
  }

  private timelineEntries(): TimelineEntry[] {
    return this.timelineItems.map((item) => item.entry);
  }

  private publishTimeline(): void {
    this.update({ timeline: this.timelineEntries(), olderMessages: this.state.olderMessages || this.trimmedMessages });
  }

  private markUnsent(clientMessageId: string, failure: string): void {
    this.clearAckTimer(clientMessageId);
    this.setOutgoing(clientMessageId, { state: 'unsent', failure });
  }

  private setOutgoing(clientMessageId: string, change: Partial<OutgoingMessage>): void {
    this.update({
      outbox: this.state.outbox.map((item) => (item.clientMessageId === clientMessageId ? { ...item, ...change } : item)),
    });
  }

  // ------------------------------------------------------------ plumbing

  /** The connection's next state (connection.ts), and the badge's status with it. */
  private move(event: ConnectionEvent): void {
    const next = transition(this.connection, event);
    if (next === this.connection) return;
    this.connection = next;
    const status = connectionStatus(next);
    if (status !== this.state.status) this.update({ status });
  }

  private get stopped(): boolean {
    return this.connection.phase === 'stopped';
  }

  private get inRoom(): boolean {
    return this.connection.phase === 'inRoom';
  }

  private clearAckTimer(clientMessageId: string): void {
    this.clearTimer(this.ackTimers.get(clientMessageId) ?? null);
    this.ackTimers.delete(clientMessageId);
  }

  private clearTimer(timer: Timer | null): void {
    if (timer !== null) clearTimeout(timer);
  }

  private update(change: Partial<ChatState>): void {
    this.state = { ...this.state, ...change };
    if (change.outbox) this.outboxStore.save(change.outbox);
    for (const listener of this.listeners) listener();
  }
}
