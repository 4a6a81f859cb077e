import { isPrivateRoomId, isValidInviteCode, isValidRoomId } from './limits';

export const ROOM_RULE =
  'A room name uses only letters, digits, “-” and “_”, up to 64 characters (a private room’s is “~” and 22 of them, made by the chat).';

export type Route = { page: 'home' } | { page: 'room'; roomId: string } | { page: 'invalid-room'; requested: string };

/** The URL path of a room. */
export function roomPath(roomId: string): string {
  return `/${encodeURIComponent(roomId)}`;
}

/** An invite link: `<site>/<roomId>#invite=<code>`; the fragment never reaches a server or its logs. */
export function inviteLink(origin: string, roomId: string, code: string): string {
  return `${origin}${roomPath(roomId)}#invite=${encodeURIComponent(code)}`;
}

/** The invite code in a private room's URL fragment (`#invite=<code>`), when it is one; `null` otherwise. */
export function inviteFromFragment(roomId: string, hash: string): string | null {
  if (!isPrivateRoomId(roomId)) return null;
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('invite');
  return code !== null && isValidInviteCode(code) ? code : null;
}

/** Takes the invite out of the address bar (the user is a member now), so a reload or a copied address does not share it again. */
export function dropInviteFromUrl(): void {
  const { pathname, search, hash } = window.location;
  const rest = new URLSearchParams(hash.replace(/^#/, ''));
  if (!rest.has('invite')) return;
  rest.delete('invite');
  const fragment = rest.toString();
  window.history.replaceState(window.history.state, '', `${pathname}${search}${fragment ? `#${fragment}` : ''}`);
}

/** The room is the URL path: `/` is the start page, `/<room>` a room (one trailing slash is forgiven). */
export function routeFromPath(pathname: string): Route {
  const path = pathname.replace(/^\/+/, '').replace(/\/$/, '');
  if (path === '') return { page: 'home' };
  let requested: string;
  try {
    requested = decodeURIComponent(path);
  } catch {
    requested = path;
  }
  return isValidRoomId(requested) ? { page: 'room', roomId: requested } : { page: 'invalid-room', requested };
}
