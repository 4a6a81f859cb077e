// The limits the server enforces, from the contract the Lambda package reads too
// (a named import: only `limits` is bundled, not the rest of the contract).
import { limits } from '../../lambdas/serverless_chat/contract.json';

const roomIdPattern = new RegExp(limits.roomIdPattern);
const guestKeyPattern = new RegExp(limits.guestKeyPattern);

export const MAX_MESSAGE_LENGTH: number = limits.maxMessageLength;
export const MAX_USERNAME_LENGTH: number = limits.maxUsernameLength;
export const MIN_GUEST_KEY_LENGTH: number = limits.minGuestKeyLength;
export const MAX_GUEST_KEY_LENGTH: number = limits.maxGuestKeyLength;

/** API Gateway drops a connection silent for `idleTimeoutSeconds`; a ping at 40% of that keeps it (4 of 10 minutes). */
export const PING_INTERVAL_MS: number = limits.idleTimeoutSeconds * 1000 * 0.4;

/** Length as the server counts it: Unicode code points, not UTF-16 units. */
export function codePointLength(text: string): number {
  return Array.from(text).length;
}

export function isValidRoomId(roomId: string): boolean {
  return roomIdPattern.test(roomId);
}

export function isValidGuestKey(key: string): boolean {
  return key.length >= MIN_GUEST_KEY_LENGTH && key.length <= MAX_GUEST_KEY_LENGTH && guestKeyPattern.test(key);
}
