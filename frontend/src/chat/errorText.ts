import { MAX_BLOCKED_USERS, MAX_INVITES_PER_ROOM, MAX_MESSAGE_LENGTH, MAX_OWNED_ROOMS, MAX_USERNAME_LENGTH } from '../limits';

/** `not_invited` on entering a private room: what the page's view of a refused entry says. */
export const NOT_INVITED_TITLE = 'This room is private';
export const NOT_INVITED_HELP = 'Only its members can enter; ask a member for an invite link.';
export const NOT_INVITED_TEXT = `${NOT_INVITED_TITLE}. ${NOT_INVITED_HELP}`;

// Plain words for the server's error codes (contract: `{"type":"error","code",...}`).
const TEXT_BY_CODE: Record<string, string> = {
  invalid_json: 'The server could not read what was sent. Please try again.',
  invalid_frame: 'The server could not read what was sent. Please try again.',
  unknown_action: 'The server did not understand the request. Reloading the page may help.',
  missing_room: 'No room was given. Open a room from the start page.',
  invalid_room: 'This room name is not valid. Open a room from the start page.',
  invalid_username: `That name can't be used. Choose a name of 1 to ${MAX_USERNAME_LENGTH} visible characters, without invisible or direction-changing ones.`,
  missing_message: 'Write a message before sending.',
  empty_message: 'Write a message before sending.',
  message_too_long: `That message is too long. The limit is ${MAX_MESSAGE_LENGTH.toLocaleString('en')} characters.`,
  invalid_message: 'That message could not be sent. Please check it and try again.',
  invalid_client_message_id: 'That message could not be sent. Please try again.',
  invalid_guest_key: 'The chat key this browser keeps was not accepted. Reloading the page may help.',
  invalid_after_seq: 'Earlier messages could not be loaded. Reloading the page may help.',
  invalid_before_seq: 'Older messages could not be loaded. Reloading the page may help.',
  invalid_seq: 'That message could not be found. Reloading the page may help.',
  unknown_message: 'That message is not there any more: it may have been deleted already.',
  not_own_message: 'You can only delete your own messages.',
  not_in_room: 'You had left the room. Rejoining…',
  room_mismatch: 'That message was meant for another room.',
  room_full: 'This room is full right now. We will keep trying to get you in.',
  name_taken: 'Someone in this room has a name that looks like that one. Choose another name.',
  rate_limited: 'You are sending messages too fast. Wait a moment and try again.',
  busy: 'The chat is busy right now. Wait a moment and try again.',
  token_expired: 'Your sign-in expired. Renewing it and reconnecting…',
  not_signed_in: 'You are not signed in to the chat, so nothing was done. Sign in and try again.',
  not_invited: NOT_INVITED_TEXT,
  not_room_owner: 'Only the room’s owner can do that.',
  invalid_invite: 'That invite is not valid. Ask a member of the room for a new invite link.',
  too_many_invites: `This room already has ${MAX_INVITES_PER_ROOM} live invites, the most it can have. Revoke one first.`,
  too_many_rooms: `You already own ${MAX_OWNED_ROOMS} private rooms, the most you can have.`,
  unknown_handle: 'Nobody signed in to the chat has that handle. Check its spelling.',
  not_a_member: 'That person is not a member of this room (any more).',
  not_moderator: 'Only the room’s owner and its moderators can do that.',
  cannot_moderate: 'You can only do that to a member whose role is below yours: not to the owner, another moderator, or yourself.',
  muted: 'You are muted in this room, so nothing was sent.',
  cannot_block: 'You cannot block yourself.',
  too_many_blocks: `You already block ${MAX_BLOCKED_USERS.toLocaleString('en')} people, the most the chat allows: unblock someone first.`,
};

export const GATEWAY_ERROR_TEXT = 'The server ran into a problem. Anything not marked as sent can be sent again.';
export const NO_REPLY_TEXT = 'No reply from the server.';

/** A rename the server refused as too frequent (`rate_limited` on `on-enter-room`). */
export function renameLimitedText(retryAfterMs: number | undefined): string {
  const wait = retryAfterMs === undefined ? 'a little while' : `${Math.ceil(retryAfterMs / 1000)} s`;
  return `You have changed your name too often. Try again in ${wait}.`;
}

/** A name the server refused as a look-alike of a member's (`name_taken`), with the variant it offers. */
export function nameTakenText(name: string, suggestion: string | undefined, entered: boolean): string {
  const taken = `Someone in this room has a name that looks like “${name}”`;
  if (suggestion === undefined) return `${taken}. Choose another name.`;
  return entered ? `${taken}, so you are “${suggestion}” here.` : `${taken}. Try “${suggestion}”.`;
}

/**
 * When something ends, as a clock time ("12:10"); with the weekday ("Fri 12:10") when it is not
 * today, since a mute may last up to a week.
 */
export function clockTime(at: Date, now: Date = new Date()): string {
  const sameDay = at.toDateString() === now.toDateString();
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
  return at.toLocaleString(undefined, sameDay ? options : { weekday: 'short', ...options });
}

/** `muted` on sending (its `retryAfterMs`), or a `moderation` frame that muted this user: until when. */
export function mutedText(until: Date, now: Date = new Date()): string {
  return `You are muted in this room until ${clockTime(until, now)}`;
}

export function errorText(code: string): string {
  return TEXT_BY_CODE[code] ?? 'Something went wrong. Please try again.';
}
