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

export function randomRoomId(random: () => number = Math.random): string {
  return `${pick(ADJECTIVES, random)}-${pick(ANIMALS, random)}-${Math.floor(random() * 90) + 10}`;
}

export function randomDisplayName(random: () => number = Math.random): string {
  return `${capitalize(pick(ADJECTIVES, random))} ${capitalize(pick(ANIMALS, random))}`;
}
