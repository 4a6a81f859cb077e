import { linkify } from '../linkify';

/**
 * Message text as text nodes (never HTML), in its own direction (`dir="auto"`): whatever bidi controls it holds
 * reorder only the message itself, never the name and time above it. http(s) links open in a new tab without access
 * to this page.
 */
export function MessageText({ text }: { text: string }) {
  return (
    <p className="message-text" dir="auto">
      {linkify(text).map((part, index) =>
        part.kind === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}
