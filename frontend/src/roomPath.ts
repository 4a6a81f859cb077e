import { isValidRoomId } from './limits';

export const ROOM_RULE = 'A room name uses only letters, digits, “-” and “_”, up to 64 characters.';

export type Route = { page: 'home' } | { page: 'room'; roomId: string } | { page: 'invalid-room'; requested: string };

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
