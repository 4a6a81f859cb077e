// Splits message text into plain text and http(s) links. The page renders both as text nodes, never as HTML.
export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let textStart = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    const start = match.index;
    let href: string;
    try {
      href = new URL(url).href;
    } catch {
      continue;
    }
    if (start > textStart) parts.push({ kind: 'text', text: text.slice(textStart, start) });
    parts.push({ kind: 'link', text: url, href });
    textStart = start + url.length;
  }
  if (textStart < text.length) parts.push({ kind: 'text', text: text.slice(textStart) });
  return parts;
}
