// The limits the server enforces, from the contract the Lambda package reads too
// (a named import: only `limits` is bundled, not the rest of the contract).
import { limits } from '../../lambdas/serverless_chat/contract.json';

const roomIdPattern = new RegExp(limits.roomIdPattern);
const privateRoomIdPattern = new RegExp(limits.privateRoomIdPattern);
const inviteCodePattern = new RegExp(limits.inviteCodePattern);
const guestKeyPattern = new RegExp(limits.guestKeyPattern);

export const MAX_MESSAGE_LENGTH: number = limits.maxMessageLength;
export const MAX_USERNAME_LENGTH: number = limits.maxUsernameLength;
export const MIN_GUEST_KEY_LENGTH: number = limits.minGuestKeyLength;
export const MAX_GUEST_KEY_LENGTH: number = limits.maxGuestKeyLength;
/** Private rooms: an invite's lifetime when `create-invite` names none, and the longest one it may name. */
export const DEFAULT_INVITE_LIFETIME_SECONDS: number = limits.defaultInviteLifetimeSeconds;
export const MAX_INVITE_LIFETIME_SECONDS: number = limits.maxInviteLifetimeSeconds;
export const MAX_INVITES_PER_ROOM: number = limits.maxInvitesPerRoom;
export const MAX_OWNED_ROOMS: number = limits.maxOwnedRooms;
/** Moderation: the longest mute the owner or a moderator may give. */
export const MAX_MUTE_SECONDS: number = limits.maxMuteSeconds;
/** Blocking: the most users one user may block. */
export const MAX_BLOCKED_USERS: number = limits.maxBlockedUsers;

/** Typing: the page says so at most once a `typingIntervalSeconds`; another member shows typing for `typingShownSeconds`. */
export const TYPING_INTERVAL_SECONDS: number = limits.typingIntervalSeconds;
export const TYPING_SHOWN_SECONDS: number = limits.typingShownSeconds;

/** API Gateway drops a connection silent for `idleTimeoutSeconds`; a ping at 40% of that keeps it (4 of 10 minutes). */
export const PING_INTERVAL_MS: number = limits.idleTimeoutSeconds * 1000 * 0.4;

/** Length as the server counts it: Unicode code points, not UTF-16 units. */
export function codePointLength(text: string): number {
  return Array.from(text).length;
}

export function isValidRoomId(roomId: string): boolean {
  return roomIdPattern.test(roomId);
}

/** A private room's id (`~` and 22 characters, the server's): only its members enter. */
export function isPrivateRoomId(roomId: string): boolean {
  return privateRoomIdPattern.test(roomId);
}

export function isValidInviteCode(code: string): boolean {
  return inviteCodePattern.test(code);
}

export function isValidGuestKey(key: string): boolean {
  return key.length >= MIN_GUEST_KEY_LENGTH && key.length <= MAX_GUEST_KEY_LENGTH && guestKeyPattern.test(key);
}
