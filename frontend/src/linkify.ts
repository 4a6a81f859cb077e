// Splits message text into plain text and http(s) links. The page renders both as text nodes, never as HTML.
export type TextPart =
  | { kind: 'text'; text: string }
  | {
      kind: 'link';
      text: string;
      href: string;
      /**
       * Where the link really goes (`new URL(href).host`: punycode for a name outside ASCII), when its text does not
       * show exactly that host — a look-alike ("аpple.com" in Cyrillic), a user name before "@", an encoded host;
       * `null` when the text already shows it.
       */
      realHost: string | null;
    };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;
const LINK_PROTOCOLS = new Set(['http:', 'https:']);

/** What a reader takes for the host in a link's text: everything between "//" and the first "/", "?", "#" or "\". */
function hostAsWritten(text: string): string {
  const afterScheme = text.slice(text.indexOf('//') + 2);
  return (afterScheme.split(/[/?#\\]/, 1)[0] ?? '').toLowerCase();
}

export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let textStart = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const linkText = match[0].replace(TRAILING_PUNCTUATION, '');
    const start = match.index;
    let url: URL;
    try {
      url = new URL(linkText);
    } catch {
      continue;
    }
    if (!LINK_PROTOCOLS.has(url.protocol)) continue;
    if (start > textStart) parts.push({ kind: 'text', text: text.slice(textStart, start) });
    const realHost = hostAsWritten(linkText) === url.host ? null : url.host;
    parts.push({ kind: 'link', text: linkText, href: url.href, realHost });
    textStart = start + linkText.length;
  }
  if (textStart < text.length) parts.push({ kind: 'text', text: text.slice(textStart) });
  return parts;
}
