import { linkify } from '../linkify';

/** Message text as text nodes (never HTML); http(s) links open in a new tab without access to this page. */
export function MessageText({ text }: { text: string }) {
  return (
    <p className="message-text">
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
