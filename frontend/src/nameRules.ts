// What a display name may hold, as the chat checks it (contract.json's `names`): the page refuses
// the same before it sends. Where a joiner (ZWJ, ZWNJ), an emoji's variation selector or a flag's
// tag may stand is left to the chat (the contract's `refusedByTheChat` cases), which knows the
// Unicode data those rules need.
import { names } from '../../lambdas/serverless_chat/contract.json';
import { MAX_USERNAME_LENGTH, codePointLength } from './limits';

type Range = readonly [first: number, last: number];

/** UCD notation, `"200E"` or `"202A..202E"`, as code point ranges. */
function ranges(items: readonly string[]): Range[] {
  return items.map((item) => {
    const [first = '', last = first] = item.split('..');
    return [Number.parseInt(first, 16), Number.parseInt(last, 16)] as const;
  });
}

const BIDI_CONTROLS = ranges(names.bidiControls);
const BLANK_FILLERS = ranges(names.blankFillers);
// Invisible, yet needed where they stand: the chat decides (ZWNJ, ZWJ, VS15, VS16, tags).
const LEFT_TO_THE_CHAT = ranges(['200C', '200D', 'FE0E', 'FE0F', 'E0020..E007F']);
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
const CONTROL = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

function inRanges(character: string, within: readonly Range[]): boolean {
  const code = character.codePointAt(0) ?? -1;
  return within.some(([first, last]) => first <= code && code <= last);
}

function codeOf(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why the chat would refuse this (trimmed) name, in words for the form; null when it is fine. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'Enter a name.';
  if (codePointLength(name) > MAX_USERNAME_LENGTH) return `Use at most ${MAX_USERNAME_LENGTH} characters.`;
  const characters = Array.from(name);
  for (const character of characters) {
    if (CONTROL.test(character)) return 'A name cannot hold line breaks or control characters.';
    if (inRanges(character, BIDI_CONTROLS)) return `A name cannot hold bidi controls (${codeOf(character)}).`;
    if (inRanges(character, BLANK_FILLERS)) return `A name cannot hold blank fillers (${codeOf(character)}).`;
  }
  if (characters.filter((character) => !DEFAULT_IGNORABLE.test(character)).join('').trim() === '') {
    return 'A name needs a visible character.';
  }
  const invisible = characters.find(
    (character) => DEFAULT_IGNORABLE.test(character) && !inRanges(character, LEFT_TO_THE_CHAT),
  );
  return invisible === undefined ? null : `A name cannot hold invisible characters (${codeOf(invisible)}).`;
}
