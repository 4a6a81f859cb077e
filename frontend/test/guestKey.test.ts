// The guest key: who is sending, the same on every connection of this browser (src/guestKey.ts).
import { describe, expect, it, vi } from 'vitest';
import { GUEST_KEY_BYTES, loadGuestKey, newGuestKey } from '../src/guestKey';
import { MIN_GUEST_KEY_LENGTH, isValidGuestKey } from '../src/limits';

const STORAGE_KEY = 'serverless-chat.guest-key';

describe('the guest key', () => {
  it('carries 128 bits from the random source, as base64url the server takes', () => {
    const asked: number[] = [];
    const zeros = newGuestKey((bytes) => {
      asked.push(bytes.length);
      return bytes.fill(0);
    });
    expect(asked).toEqual([GUEST_KEY_BYTES]);
    expect(GUEST_KEY_BYTES * 8).toBeGreaterThanOrEqual(128);
    expect(zeros).toBe('A'.repeat(MIN_GUEST_KEY_LENGTH));
    expect(newGuestKey((bytes) => bytes.fill(255))).toBe(`${'_'.repeat(21)}w`);
    expect(newGuestKey((bytes) => bytes.fill(0xfb))).toBe(`${'-_v7'.repeat(5)}-w`); // - and _ for + and /
    const keys = Array.from({ length: 1000 }, () => newGuestKey());
    expect(new Set(keys).size).toBe(1000); // from crypto.getRandomValues: a repeat is a broken source
    for (const key of keys) expect(isValidGuestKey(key)).toBe(true);
  });

  it('is created once and kept in localStorage', () => {
    const random = vi.fn((bytes: Uint8Array) => crypto.getRandomValues(bytes));

    const first = loadGuestKey(random);
    const again = loadGuestKey(random);

    expect(again).toBe(first);
    expect(random).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem(STORAGE_KEY)).toBe(first);
  });

  it('replaces a kept key the server would refuse', () => {
    localStorage.setItem(STORAGE_KEY, 'too short');

    const key = loadGuestKey();

    expect(isValidGuestKey(key)).toBe(true);
    expect(localStorage.getItem(STORAGE_KEY)).toBe(key);
  });

  it('holds for the page when storage is disabled', () => {
    const getItem = vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    });
    try {
      const key = loadGuestKey();
      expect(isValidGuestKey(key)).toBe(true);
      expect(loadGuestKey()).toBe(key);
    } finally {
      getItem.mockRestore();
    }
  });
});
