// Readable random names: room ids like `amber-otter-42` and display names like `Quiet Heron`.
const ADJECTIVES = [
  'amber', 'brave', 'calm', 'clever', 'cosmic', 'gentle', 'golden', 'happy', 'jolly', 'lucky',
  'mellow', 'misty', 'nimble', 'quiet', 'rapid', 'silver', 'sunny', 'swift', 'velvet', 'witty',
];
const ANIMALS = [
  'badger', 'beaver', 'crane', 'dolphin', 'falcon', 'fox', 'heron', 'koala', 'lynx', 'moose',
  'otter', 'owl', 'panda', 'puffin', 'raven', 'seal', 'sparrow', 'tiger', 'walrus', 'wombat',
];

function pick(words: readonly string[], random: () => number): string {
  return words[Math.floor(random() * words.length)]!; // random() < 1, so the index is in range
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Fills `bytes` with random values; the browser's CSPRNG unless a test passes its own. */
export type RandomBytes = (bytes: Uint8Array) => Uint8Array;
const cryptoBytes: RandomBytes = (bytes) => crypto.getRandomValues(bytes);

// Crockford's base32 (no i, l, o, u): 13 of its characters carry 65 bits.
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
export const ROOM_ID_RANDOM_CHARS = 13;

/**
 * A room id such as `amber-otter-7k2m9q4x1c8vd`: the words make it readable, the 13-character
 * suffix carries 65 bits from `crypto.getRandomValues`, since the address is what gets shared.
 */
export function randomRoomId(randomBytes: RandomBytes = cryptoBytes): string {
  const bytes = randomBytes(new Uint8Array(ROOM_ID_RANDOM_CHARS + 2));
  let suffix = '';
  for (let i = 0; i < ROOM_ID_RANDOM_CHARS; i += 1) suffix += CROCKFORD[bytes[i]! % 32]; // 256 % 32 == 0: unbiased
  const adjective = ADJECTIVES[bytes[ROOM_ID_RANDOM_CHARS]! % ADJECTIVES.length]!;
  const animal = ANIMALS[bytes[ROOM_ID_RANDOM_CHARS + 1]! % ANIMALS.length]!;
  return `${adjective}-${animal}-${suffix}`;
}

export function randomDisplayName(random: () => number = Math.random): string {
  return `${capitalize(pick(ADJECTIVES, random))} ${capitalize(pick(ANIMALS, random))}`;
}
