import { describe, expect, it } from 'vitest';
import { codePointLength, isPrivateRoomId, isValidInviteCode, isValidRoomId } from '../src/limits';
import { linkify } from '../src/linkify';
import { randomDisplayName, randomRoomId } from '../src/names';
import { dropInviteFromUrl, inviteFromFragment, inviteLink, routeFromPath } from '../src/roomPath';

const PRIVATE = '~Qh7v0c2mXbT9yLkR4sW1aZ';
const CODE = 'd3JpdGUtbWUtYS1jb2RlMA';

describe('counting like the server', () => {
  it('counts Unicode code points, not UTF-16 units', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀😀')).toBe(2); // 4 UTF-16 units
    expect(codePointLength('日本語')).toBe(3);
  });
});

describe('rooms from the path', () => {
  it('reads the room from the path and sends / to the start page', () => {
    expect(routeFromPath('/')).toEqual({ page: 'home' });
    expect(routeFromPath('/lobby')).toEqual({ page: 'room', roomId: 'lobby' });
    expect(routeFromPath('/amber-otter-42/')).toEqual({ page: 'room', roomId: 'amber-otter-42' });
  });

  it('refuses room ids the server would refuse', () => {
    expect(routeFromPath('/a/b')).toEqual({ page: 'invalid-room', requested: 'a/b' });
    expect(routeFromPath('/caf%C3%A9')).toEqual({ page: 'invalid-room', requested: 'café' });
    expect(routeFromPath(`/${'x'.repeat(65)}`).page).toBe('invalid-room');
  });

  it("reads a private room's id, `~` and 22 characters, as the contract's patterns say", () => {
    expect(routeFromPath(`/${PRIVATE}`)).toEqual({ page: 'room', roomId: PRIVATE });
    expect(routeFromPath(`/${encodeURIComponent(PRIVATE)}`)).toEqual({ page: 'room', roomId: PRIVATE });
    expect(isPrivateRoomId(PRIVATE)).toBe(true);
    expect(isPrivateRoomId('lobby')).toBe(false);
    for (const id of ['~short', `${PRIVATE}A`, '~Qh7v0c2mXbT9yLkR4sW1a=', '~~h7v0c2mXbT9yLkR4sW1aZ']) {
      expect(routeFromPath(`/${encodeURIComponent(id)}`).page, id).toBe('invalid-room');
      expect(isValidRoomId(id), id).toBe(false);
    }
  });

  it("reads a private room's invite from the fragment, and only a code", () => {
    expect(inviteFromFragment(PRIVATE, `#invite=${CODE}`)).toBe(CODE);
    expect(inviteFromFragment(PRIVATE, `#x=1&invite=${CODE}`)).toBe(CODE);
    expect(inviteFromFragment(PRIVATE, '')).toBeNull();
    expect(inviteFromFragment(PRIVATE, '#invite=short')).toBeNull();
    expect(inviteFromFragment('lobby', `#invite=${CODE}`)).toBeNull(); // a public room takes no invite
    expect(isValidInviteCode(CODE)).toBe(true);
    expect(inviteLink('https://chat.example', PRIVATE, CODE)).toBe(`https://chat.example/${PRIVATE}#invite=${CODE}`);
  });

  it('takes the invite out of the address, leaving the rest', () => {
    window.history.replaceState(null, '', `/${PRIVATE}?a=1#invite=${CODE}`);
    dropInviteFromUrl();
    expect(window.location.href).toBe(`${window.location.origin}/${PRIVATE}?a=1`);
    window.history.replaceState(null, '', `/${PRIVATE}#invite=${CODE}&x=1`);
    dropInviteFromUrl();
    expect(window.location.hash).toBe('#x=1');
  });

  it('generates readable room ids that are valid, and readable names', () => {
    expect(randomRoomId((bytes) => bytes.fill(0))).toBe('amber-badger-0000000000000');
    expect(randomRoomId((bytes) => bytes.fill(255))).toBe('silver-seal-zzzzzzzzzzzzz');
    const ids = new Set(Array.from({ length: 1000 }, () => randomRoomId()));
    expect(ids.size).toBe(1000); // 65 random bits: a repeat in 1,000 is a broken generator
    for (let i = 0; i < 50; i += 1) expect(isValidRoomId(randomRoomId())).toBe(true);
    expect(randomDisplayName(() => 0)).toBe('Amber Badger');
  });
});

describe('links in messages', () => {
  it('finds http and https links and leaves trailing punctuation out', () => {
    expect(linkify('see https://example.com/a?b=1, then http://x.org.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1', realHost: null },
      { kind: 'text', text: ', then ' },
      { kind: 'link', text: 'http://x.org', href: 'http://x.org/', realHost: null },
      { kind: 'text', text: '.' },
    ]);
  });

  it('does not turn other schemes into links', () => {
    expect(linkify('javascript:alert(1) data:text/html,hi')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) data:text/html,hi' },
    ]);
    expect(linkify('xhttps://example.com ftp://example.com').every((part) => part.kind === 'text')).toBe(true);
  });

  const realHostOf = (text: string) => linkify(text).find((part) => part.kind === 'link')?.realHost;

  it('names the real host, in punycode, of a link whose text only looks like it', () => {
    expect(realHostOf('https://\u0430pple.com/login')).toBe('xn--pple-43d.com'); // Cyrillic "а"
    expect(realHostOf('https://münchen.de')).toBe('xn--mnchen-3ya.de');
    expect(realHostOf('https://apple.com@evil.example/login')).toBe('evil.example');
    expect(realHostOf('https://%65vil.example/')).toBe('evil.example');
    expect(realHostOf('https://apple\u3002com/')).toBe('apple.com'); // an ideographic full stop
  });

  it('adds nothing when the text already shows the real host', () => {
    expect(realHostOf('https://apple.com/login')).toBeNull();
    expect(realHostOf('https://Apple.COM')).toBeNull();
    expect(realHostOf('http://localhost:5173/lobby?x=1#top')).toBeNull();
    expect(realHostOf('http://[::1]:8080/')).toBeNull();
  });
});
