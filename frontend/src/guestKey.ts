// Who is sending: a random secret this browser creates once and keeps, sent on every `on-enter-room`.
// The server stores only its hash and uses it, not the connection or the name, to de-duplicate
// resent messages and to mark one's own history (lambdas/serverless_chat/domain/identity.py).
import { isValidGuestKey } from './limits';
import type { RandomBytes } from './names';

const STORAGE_KEY = 'serverless-chat.guest-key';
/** 128 random bits: 22 base64url characters, the contract's `minGuestKeyLength`. */
export const GUEST_KEY_BYTES = 16;

const cryptoBytes: RandomBytes = (bytes) => crypto.getRandomValues(bytes);

/** When storage is disabled (private mode, policies): one key for as long as the page lives. */
let keyOfThisPage: string | null = null;

export function newGuestKey(randomBytes: RandomBytes = cryptoBytes): string {
  const bytes = randomBytes(new Uint8Array(GUEST_KEY_BYTES));
  const base64 = btoa(String.fromCharCode(...bytes));
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The browser's guest key: the one kept in localStorage, or a new one kept there from now on. */
export function loadGuestKey(randomBytes: RandomBytes = cryptoBytes): string {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored !== null && isValidGuestKey(stored)) return stored;
    const key = newGuestKey(randomBytes); // none yet, or one the server would refuse
    localStorage.setItem(STORAGE_KEY, key);
    return key;
  } catch {
    keyOfThisPage ??= newGuestKey(randomBytes);
    return keyOfThisPage;
  }
}
