/** Who else is typing, in words: one or two names, or "several people" beyond that. */
export function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'several people are typing…';
}

/** The line above the composer; announced politely, as names come and go. */
export function TypingLine({ names }: { names: string[] }) {
  return (
    <p className="typing-line" aria-live="polite">
      {typingText(names)}
    </p>
  );
}
