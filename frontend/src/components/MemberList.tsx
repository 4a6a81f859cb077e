import { type ReactNode, useId, useState } from 'react';
import { MODERATION_ACTIONS, type PrivateRoomsState, sameHandle } from '../chat/chatClient';
import type { ModerationAction, RoomRole } from '../chat/protocol';
import type { PrivateRoomActions } from '../chat/useChatRoom';
import { MemberActions, type MemberActionRequest } from './MemberActions';

/** A private room's owner or moderator: the actions on the members below them. */
export interface MemberModeration {
  role: 'owner' | 'moderator';
  state: PrivateRoomsState;
  actions: Pick<PrivateRoomActions, 'setRole' | 'removeMember' | 'muteMember' | 'handOver'>;
  online: boolean;
}

interface MemberListProps {
  members: string[];
  guests: string[];
  username: string;
  /** In a private room, for its owner and moderators only. */
  moderation?: MemberModeration | null;
  /** The roles known in a private room (one's own, and those the moderation frames told). */
  roles?: Record<string, RoomRole>;
}

/** What an error says was being done, before the chat's words. */
function failedText(request: MemberActionRequest): ReactNode {
  const name = <bdi>{request.handle}</bdi>;
  switch (request.action) {
    case 'mute-member':
      return request.seconds === 0 ? <>Could not unmute {name}</> : <>Could not mute {name}</>;
    case 'remove-member':
      return <>Could not remove {name}</>;
    case 'set-role':
      return request.role === 'moderator' ? <>Could not make {name} a moderator</> : <>Could not make {name} a member</>;
    case 'hand-over':
      return <>Could not hand the room over to {name}</>;
  }
}

/** The people in the room, each name once (two tabs under one name are one person here); guests marked where sign-in is optional. */
export function MemberList({ members, guests, username, moderation = null, roles = {} }: MemberListProps) {
  const headingId = useId();
  const names = [...new Set(members)].sort((a, b) => a.localeCompare(b));
  const [openFor, setOpenFor] = useState<string | null>(null);
  // The latest request of each kind, to say what an error was about (the chat's error names no handle).
  const [requests, setRequests] = useState<Partial<Record<ModerationAction, MemberActionRequest>>>({});

  const roleOf = (name: string): RoomRole | null => {
    const match = Object.keys(roles).find((known) => sameHandle(known, name));
    return match === undefined ? null : roles[match]!;
  };
  // A moderator acts on members only: someone known to be the owner or a moderator gets no menu (the chat would say `cannot_moderate`).
  const canModerate = (name: string): boolean => {
    if (moderation === null || sameHandle(name, username)) return false;
    if (moderation.role === 'owner') return true;
    const theirs = roleOf(name);
    return theirs !== 'owner' && theirs !== 'moderator';
  };

  const error = moderation?.state.error ?? null;
  const failedAction = error && (MODERATION_ACTIONS as string[]).includes(error.action) ? (error.action as ModerationAction) : null;
  const failedRequest = failedAction === null ? undefined : requests[failedAction];

  const request = (item: MemberActionRequest) => {
    if (moderation === null) return;
    setRequests((current) => ({ ...current, [item.action]: item }));
    const { actions } = moderation;
    switch (item.action) {
      case 'mute-member':
        actions.muteMember(item.handle, item.seconds ?? 0);
        break;
      case 'remove-member':
        actions.removeMember(item.handle);
        break;
      case 'set-role':
        actions.setRole(item.handle, item.role ?? 'member');
        break;
      case 'hand-over':
        actions.handOver(item.handle);
        break;
    }
  };

  return (
    <section className="member-list" aria-labelledby={headingId}>
      <h2 id={headingId}>In this room ({names.length})</h2>
      {error && failedAction !== null && (
        <p className="hint hint-error" role="alert">
          {failedRequest && <>{failedText(failedRequest)}: </>}
          {error.text}
        </p>
      )}
      <ul>
        {names.map((name) => {
          const role = roleOf(name);
          return (
            <li key={name} className="member">
              <span className="member-name">
                <bdi>{name}</bdi>
                {guests.includes(name) && <span className="guest-marker"> guest</span>}
                {(role === 'owner' || role === 'moderator') && <span className="role-marker"> {role}</span>}
                {name === username && <span className="you-marker"> (you)</span>}
              </span>
              {moderation !== null && canModerate(name) && (
                <MemberActions
                  name={name}
                  ownerActions={moderation.role === 'owner'}
                  knownRole={role}
                  online={moderation.online}
                  open={openFor === name}
                  onOpenChange={(open) => setOpenFor(open ? name : null)}
                  onRequest={request}
                />
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
