import { linkify } from '../linkify';

/**
 * Message text as text nodes (never HTML), in its own direction (`dir="auto"`): whatever bidi controls it holds
 * reorder only the message itself, never the name and time above it. http(s) links open in a new tab without access
 * to this page; each link's text is isolated too, and a link whose text does not show where it goes also shows its
 * real host.
 */
export function MessageText({ text }: { text: string }) {
  return (
    <p className="message-text" dir="auto">
      {linkify(text).map((part, index) =>
        part.kind === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            <bdi>{part.text}</bdi>
            {part.realHost !== null && <span className="link-host"> ({part.realHost})</span>}
          </a>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}
