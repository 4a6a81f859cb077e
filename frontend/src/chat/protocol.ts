// The WebSocket protocol of lambdas/serverless_chat/contract.json: the frames the page sends and the
// frames it understands (frontend/test/contract.test.ts checks them against the contract's examples).

export interface EnterRoomFrame {
  action: 'on-enter-room';
  groupId: string;
  username: string;
  afterSeq?: number;
  /** A page of older history: the messages before this seq (never with `afterSeq`). */
  beforeSeq?: number;
  /** Who is sending: the browser's guest key (src/guestKey.ts), the same on every connection. */
  guestKey?: string;
  /** A private room's invite code (from the link's fragment): makes the signed-in user a member first. */
  invite?: string;
}

export interface SendMessageFrame {
  action: 'on-message';
  groupId: string;
  message: string;
  clientMessageId: string;
}

/** Delete a message of the room: one's own, or (a private room's owner or moderator) anyone's. */
export interface DeleteMessageFrame {
  action: 'on-delete-message';
  seq: number;
}

/** The user is typing: the room's other members are told, once a `typingIntervalSeconds` at most. */
export interface TypingFrame {
  action: 'on-typing';
}

export interface PingFrame {
  action: 'ping';
}

/** Sign out everywhere: every connection of the signed-in user gets `signed_out` and is closed. */
export interface SignOutFrame {
  action: 'sign-out';
}

/** Private rooms (signed in only): each is answered to the caller alone. */
export interface CreateRoomFrame {
  action: 'create-room';
}

export interface ListRoomsFrame {
  action: 'list-rooms';
}

export interface CreateInviteFrame {
  action: 'create-invite';
  roomId: string;
  /** From 60 to `maxInviteLifetimeSeconds`; left out, the server's `defaultInviteLifetimeSeconds`. */
  expiresInSeconds?: number;
}

export interface ListInvitesFrame {
  action: 'list-invites';
  roomId: string;
}

export interface RevokeInviteFrame {
  action: 'revoke-invite';
  roomId: string;
  code: string;
}

export interface AddMemberFrame {
  action: 'add-member';
  roomId: string;
  handle: string;
}

/** Moderation (private rooms): the owner makes a member a moderator, or a moderator a member again. */
export interface SetRoleFrame {
  action: 'set-role';
  roomId: string;
  handle: string;
  role: 'moderator' | 'member';
}

/** The owner or a moderator removes a member below them: their sockets get `removed` and are closed. */
export interface RemoveMemberFrame {
  action: 'remove-member';
  roomId: string;
  handle: string;
}

/** The owner or a moderator mutes a member below them for `seconds` (1 to `maxMuteSeconds`); 0 unmutes. */
export interface MuteMemberFrame {
  action: 'mute-member';
  roomId: string;
  handle: string;
  seconds: number;
}

/** The owner hands the room over to a member, and stays as a moderator. */
export interface HandOverFrame {
  action: 'hand-over';
  roomId: string;
  handle: string;
}

export type ModerationFrame = SetRoleFrame | RemoveMemberFrame | MuteMemberFrame | HandOverFrame;

/** The moderation actions, by their route key: each is answered by a `moderation` frame to the whole room. */
export type ModerationAction = ModerationFrame['action'];

export type RoomActionFrame =
  | CreateRoomFrame
  | ListRoomsFrame
  | CreateInviteFrame
  | ListInvitesFrame
  | RevokeInviteFrame
  | AddMemberFrame
  | ModerationFrame;

/** The private rooms' actions, by their route key. */
export type RoomAction = RoomActionFrame['action'];

/** A signed-in user stops receiving another one's messages (`block-user`), or again receives them (`unblock-user`). */
export interface BlockFrame {
  action: 'block-user' | 'unblock-user';
  handle: string;
}

/** The handles the signed-in user blocks: answered with `blocks`. */
export interface ListBlocksFrame {
  action: 'list-blocks';
}

export type BlockActionFrame = BlockFrame | ListBlocksFrame;

/** The blocking actions, by their route key. */
export type BlockAction = BlockActionFrame['action'];

export type ClientFrame =
  | EnterRoomFrame
  | SendMessageFrame
  | DeleteMessageFrame
  | TypingFrame
  | SignOutFrame
  | PingFrame
  | RoomActionFrame
  | BlockActionFrame;

export interface ChatMessage {
  id: string;
  roomId: string;
  seq: number;
  message: string;
  username: string;
  isOwnMessage: boolean;
  sentAt: string;
  clientMessageId?: string;
  /** Sent by a guest, where guests and signed-in users meet (sign-in optional). */
  guest?: true;
  /** Deleted: its text is gone (`message` is empty). */
  deleted?: true;
  /** Who removed it, when a private room's owner or moderator removed someone else's message. */
  deletedBy?: string;
}

export interface MessageFrame extends ChatMessage {
  type: 'message';
}

export interface RoomFrame {
  type: 'room';
  roomId: string;
  username: string;
  members: string[];
  history: ChatMessage[];
  more: boolean;
  /** The members' names that are guests' (sign-in optional only). */
  guests?: string[];
  /** The room's changes among the history's messages, in seq order (moderation lines; deletions after `afterSeq`). */
  changes?: RoomChange[];
}

export type PresenceEvent = 'join' | 'leave' | 'rename';

export interface PresenceFrame {
  type: 'presence';
  event: PresenceEvent;
  username: string;
  previousUsername?: string;
  /** On a `leave` of several members at once: all of them (`username` is the first). */
  usernames?: string[];
  memberCount: number;
  /** The member this frame is about is a guest (sign-in optional only). */
  guest?: true;
}

/** This connection's user was signed out (from any of her connections, or by an operator): it closes next. */
export interface SignedOutFrame {
  type: 'signed_out';
}

export interface PongFrame {
  type: 'pong';
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
  clientMessageId?: string;
  /** On `rate_limited`: how long until the server takes the request again; on `muted`: until the mute ends. */
  retryAfterMs?: number;
  /** On `name_taken`: a numbered variant of the name that nobody in the room looks like. */
  suggestedUsername?: string;
}

/** API Gateway's own answer when an integration fails: `{"message": "Internal server error", ...}`, no `type`. */
export interface GatewayErrorFrame {
  type: 'gateway-error';
  message: string;
}

export type RoomRole = 'owner' | 'moderator' | 'member';

function isRoomRole(value: unknown): value is RoomRole {
  return value === 'owner' || value === 'moderator' || value === 'member';
}

export interface PrivateRoomSummary {
  roomId: string;
  role: RoomRole;
}

export interface InviteInfo {
  code: string;
  /** ISO 8601 */
  expiresAt: string;
}

/** The answer to `create-room`: the new private room's id. */
export interface RoomCreatedFrame {
  type: 'room_created';
  roomId: string;
}

/** The answer to `list-rooms`: the user's private rooms, the newest first. */
export interface RoomsFrame {
  type: 'rooms';
  rooms: PrivateRoomSummary[];
}

/** The answer to `create-invite`. */
export interface InviteFrame extends InviteInfo {
  type: 'invite';
  roomId: string;
}

/** The answer to `list-invites` and `revoke-invite`: the room's live invites, the soonest to expire first. */
export interface InvitesFrame {
  type: 'invites';
  roomId: string;
  invites: InviteInfo[];
}

/** The answer to `add-member`. */
export interface MemberAddedFrame {
  type: 'member_added';
  roomId: string;
  handle: string;
}

export type RoomActionReply = RoomCreatedFrame | RoomsFrame | InviteFrame | InvitesFrame | MemberAddedFrame;

export type ModerationEvent = 'role_changed' | 'removed' | 'muted' | 'unmuted' | 'handed_over';

/** To every member in a private room, the one who acted too, for each action of its owner or a moderator. */
export interface ModerationEventFrame {
  type: 'moderation';
  roomId: string;
  /** Its place in the room's order. */
  seq?: number;
  action: ModerationEvent;
  /** Handles: who acted, and on whom. */
  by: string;
  target: string;
  /** On `role_changed`: the target's new role. */
  role?: 'moderator' | 'member';
  /** On `muted`: when the mute ends (ISO 8601). */
  until?: string;
}

/** A message deleted: `seq` is the deletion's own place in the room's order, `targetSeq` the message's. */
export interface DeleteFrame {
  type: 'delete';
  roomId: string;
  seq: number;
  targetSeq: number;
  /** The handle of the owner or moderator who removed someone else's message. */
  by?: string;
}

/** Another member is typing, to be shown until `expiresAt` (ISO 8601) or their next message. Never stored. */
export interface TypingEventFrame {
  type: 'typing';
  roomId: string;
  username: string;
  expiresAt: string;
}

/** A change to the room, with its own seq: kept in the room and sent again to a page that missed it. */
export type RoomChange = ModerationEventFrame | DeleteFrame;

/** To each socket of a member removed from a private room, just before the chat closes it. */
export interface RemovedFrame {
  type: 'removed';
  roomId: string;
  by: string;
}

/** The answer to `block-user` or `unblock-user`. */
export interface BlockedFrame {
  type: 'blocked' | 'unblocked';
  handle: string;
}

/** The answer to `list-blocks`: the handles of the users this user blocks, in alphabetical order. */
export interface BlocksFrame {
  type: 'blocks';
  handles: string[];
}

export type ServerFrame =
  | BlockedFrame
  | BlocksFrame
  | RoomFrame
  | PresenceFrame
  | MessageFrame
  | SignedOutFrame
  | PongFrame
  | ErrorFrame
  | GatewayErrorFrame
  | RoomActionReply
  | ModerationEventFrame
  | DeleteFrame
  | TypingEventFrame
  | RemovedFrame;

export function enterRoomFrame(
  roomId: string,
  username: string,
  afterSeq: number | null,
  guestKey: string | null = null,
  beforeSeq: number | null = null,
  invite: string | null = null,
): EnterRoomFrame {
  const frame: EnterRoomFrame = { action: 'on-enter-room', groupId: roomId, username };
  if (afterSeq !== null) frame.afterSeq = afterSeq;
  if (beforeSeq !== null) frame.beforeSeq = beforeSeq;
  if (guestKey !== null) frame.guestKey = guestKey;
  if (invite !== null) frame.invite = invite;
  return frame;
}

export function sendMessageFrame(roomId: string, message: string, clientMessageId: string): SendMessageFrame {
  return { action: 'on-message', groupId: roomId, message, clientMessageId };
}

export const TYPING: TypingFrame = { action: 'on-typing' };

export function deleteMessageFrame(seq: number): DeleteMessageFrame {
  return { action: 'on-delete-message', seq };
}

export const PING: PingFrame = { action: 'ping' };

export const SIGN_OUT: SignOutFrame = { action: 'sign-out' };

export const CREATE_ROOM: CreateRoomFrame = { action: 'create-room' };

export const LIST_ROOMS: ListRoomsFrame = { action: 'list-rooms' };

export function createInviteFrame(roomId: string, expiresInSeconds: number | null = null): CreateInviteFrame {
  const frame: CreateInviteFrame = { action: 'create-invite', roomId };
  if (expiresInSeconds !== null) frame.expiresInSeconds = expiresInSeconds;
  return frame;
}

export function listInvitesFrame(roomId: string): ListInvitesFrame {
  return { action: 'list-invites', roomId };
}

export function revokeInviteFrame(roomId: string, code: string): RevokeInviteFrame {
  return { action: 'revoke-invite', roomId, code };
}

export function blockUserFrame(handle: string): BlockFrame {
  return { action: 'block-user', handle };
}

export function unblockUserFrame(handle: string): BlockFrame {
  return { action: 'unblock-user', handle };
}

export const LIST_BLOCKS: ListBlocksFrame = { action: 'list-blocks' };

export function addMemberFrame(roomId: string, handle: string): AddMemberFrame {
  return { action: 'add-member', roomId, handle };
}

export function setRoleFrame(roomId: string, handle: string, role: 'moderator' | 'member'): SetRoleFrame {
  return { action: 'set-role', roomId, handle, role };
}

export function removeMemberFrame(roomId: string, handle: string): RemoveMemberFrame {
  return { action: 'remove-member', roomId, handle };
}

/** `seconds` 0 unmutes. */
export function muteMemberFrame(roomId: string, handle: string, seconds: number): MuteMemberFrame {
  return { action: 'mute-member', roomId, handle, seconds };
}

export function handOverFrame(roomId: string, handle: string): HandOverFrame {
  return { action: 'hand-over', roomId, handle };
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function optionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

function parseChatMessage(value: unknown): ChatMessage | null {
  if (!isObject(value)) return null;
  const { id, roomId, seq, message, username, isOwnMessage, sentAt, clientMessageId, guest } = value;
  if (!isString(id) || !isString(roomId) || !Number.isInteger(seq) || !isString(message)) return null;
  if (!isString(username) || !isString(sentAt) || !optionalString(clientMessageId)) return null;
  const parsed: ChatMessage = {
    id,
    roomId,
    seq: seq as number,
    message,
    username,
    isOwnMessage: isOwnMessage === true,
    sentAt,
  };
  if (clientMessageId !== undefined) parsed.clientMessageId = clientMessageId;
  if (guest === true) parsed.guest = true;
  if (value.deleted === true) parsed.deleted = true;
  if (isString(value.deletedBy)) parsed.deletedBy = value.deletedBy;
  return parsed;
}

function parseRoom(value: JsonObject): RoomFrame | null {
  const { roomId, username, members, history, more, guests, changes } = value;
  if (!isString(roomId) || !isString(username) || !Array.isArray(members) || !Array.isArray(history)) return null;
  const messages = history.map(parseChatMessage);
  if (!members.every(isString) || messages.some((message) => message === null)) return null;
  const frame: RoomFrame = {
    type: 'room',
    roomId,
    username,
    members,
    history: messages as ChatMessage[],
    more: more === true,
  };
  if (Array.isArray(guests) && guests.every(isString)) frame.guests = guests;
  if (changes !== undefined) {
    const parsed = parseList(changes, parseRoomChange);
    if (parsed === null) return null;
    frame.changes = parsed;
  }
  return frame;
}

function parsePresence(value: JsonObject): PresenceFrame | null {
  const { event, username, previousUsername, usernames, memberCount, guest } = value;
  if (event !== 'join' && event !== 'leave' && event !== 'rename') return null;
  if (!isString(username) || !optionalString(previousUsername) || typeof memberCount !== 'number') return null;
  if (usernames !== undefined && !(Array.isArray(usernames) && usernames.every(isString))) return null;
  const frame: PresenceFrame = { type: 'presence', event, username, memberCount };
  if (previousUsername !== undefined) frame.previousUsername = previousUsername;
  if (usernames !== undefined) frame.usernames = usernames;
  if (guest === true) frame.guest = true;
  return frame;
}

function parseError(value: JsonObject): ErrorFrame | null {
  const { code, message, clientMessageId, retryAfterMs, suggestedUsername } = value;
  if (!isString(code) || !optionalString(clientMessageId)) return null;
  const frame: ErrorFrame = { type: 'error', code, message: isString(message) ? message : '' };
  if (clientMessageId !== undefined) frame.clientMessageId = clientMessageId;
  if (typeof retryAfterMs === 'number' && retryAfterMs >= 0) frame.retryAfterMs = retryAfterMs;
  if (isString(suggestedUsername)) frame.suggestedUsername = suggestedUsername;
  return frame;
}

function parseInvite(value: unknown): InviteInfo | null {
  if (!isObject(value)) return null;
  const { code, expiresAt } = value;
  return isString(code) && isString(expiresAt) ? { code, expiresAt } : null;
}

function parseRoomSummary(value: unknown): PrivateRoomSummary | null {
  if (!isObject(value)) return null;
  const { roomId, role } = value;
  return isString(roomId) && isRoomRole(role) ? { roomId, role } : null;
}

/** Every item of a list, or `null` when any one is not understood. */
function parseList<T>(value: unknown, parseItem: (item: unknown) => T | null): T[] | null {
  if (!Array.isArray(value)) return null;
  const items = value.map(parseItem);
  return items.some((item) => item === null) ? null : (items as T[]);
}

function parseRoomActionReply(value: JsonObject): RoomActionReply | null {
  const { roomId } = value;
  if (value.type === 'rooms') {
    const rooms = parseList(value.rooms, parseRoomSummary);
    return rooms && { type: 'rooms', rooms };
  }
  if (!isString(roomId)) return null;
  switch (value.type) {
    case 'room_created':
      return { type: 'room_created', roomId };
    case 'invite': {
      const invite = parseInvite(value);
      return invite && { type: 'invite', roomId, ...invite };
    }
    case 'invites': {
      const invites = parseList(value.invites, parseInvite);
      return invites && { type: 'invites', roomId, invites };
    }
    case 'member_added':
      return isString(value.handle) ? { type: 'member_added', roomId, handle: value.handle } : null;
    default:
      return null;
  }
}

const MODERATION_EVENTS: ModerationEvent[] = ['role_changed', 'removed', 'muted', 'unmuted', 'handed_over'];

function parseModeration(value: JsonObject): ModerationEventFrame | null {
  const { roomId, seq, action, by, target, role, until } = value;
  if (!isString(roomId) || !isString(by) || !isString(target)) return null;
  if (!MODERATION_EVENTS.includes(action as ModerationEvent)) return null;
  if (seq !== undefined && !Number.isInteger(seq)) return null;
  const frame: ModerationEventFrame = { type: 'moderation', roomId, action: action as ModerationEvent, by, target };
  if (seq !== undefined) frame.seq = seq as number;
  if (action === 'role_changed') {
    if (role !== 'moderator' && role !== 'member') return null;
    frame.role = role;
  }
  if (action === 'muted') {
    if (!isString(until) || Number.isNaN(Date.parse(until))) return null;
    frame.until = until;
  }
  return frame;
}

function parseDelete(value: JsonObject): DeleteFrame | null {
  const { roomId, seq, targetSeq, by } = value;
  if (!isString(roomId) || !Number.isInteger(seq) || !Number.isInteger(targetSeq) || !optionalString(by)) return null;
  const frame: DeleteFrame = { type: 'delete', roomId, seq: seq as number, targetSeq: targetSeq as number };
  if (by !== undefined) frame.by = by;
  return frame;
}

function parseRoomChange(value: unknown): RoomChange | null {
  if (!isObject(value)) return null;
  if (value.type === 'moderation') return parseModeration(value);
  if (value.type === 'delete') return parseDelete(value);
  return null;
}

/** Reads one frame from the server; anything it does not recognise gives `null` and is ignored. */
export function parseServerFrame(data: unknown): ServerFrame | null {
  if (!isString(data)) return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  switch (value.type) {
    case 'room':
      return parseRoom(value);
    case 'presence':
      return parsePresence(value);
    case 'message': {
      const message = parseChatMessage(value);
      return message && { type: 'message', ...message };
    }
    case 'signed_out':
      return { type: 'signed_out' };
    case 'pong':
      return { type: 'pong' };
    case 'error':
      return parseError(value);
    case 'room_created':
    case 'rooms':
    case 'invite':
    case 'invites':
    case 'member_added':
      return parseRoomActionReply(value);
    case 'moderation':
      return parseModeration(value);
    case 'delete':
      return parseDelete(value);
    case 'typing': {
      const { roomId, username, expiresAt } = value;
      if (!isString(roomId) || !isString(username) || !isString(expiresAt) || Number.isNaN(Date.parse(expiresAt))) return null;
      return { type: 'typing', roomId, username, expiresAt };
    }
    case 'blocked':
    case 'unblocked':
      return isString(value.handle) ? { type: value.type, handle: value.handle } : null;
    case 'blocks':
      return Array.isArray(value.handles) && value.handles.every(isString) ? { type: 'blocks', handles: value.handles } : null;
    case 'removed':
      return isString(value.roomId) && isString(value.by) ? { type: 'removed', roomId: value.roomId, by: value.by } : null;
    case undefined:
      return isString(value.message) ? { type: 'gateway-error', message: value.message } : null;
    default:
      return null;
  }
}
