import { type ReactNode, useId, useState } from 'react';
import { type BlocksState, MODERATION_ACTIONS, type PrivateRoomsState, sameHandle } from '../chat/chatClient';
import type { ModerationAction, RoomRole } from '../chat/protocol';
import type { BlockActions, PrivateRoomActions } from '../chat/useChatRoom';
import { MemberActions, type MemberActionRequest } from './MemberActions';

/** A private room's owner or moderator: the actions on the members below them. */
export interface MemberModeration {
  role: 'owner' | 'moderator';
  state: PrivateRoomsState;
  actions: Pick<PrivateRoomActions, 'setRole' | 'removeMember' | 'muteMember' | 'handOver'>;
  online: boolean;
}

/** A signed-in user: block or unblock each signed-in member but oneself. */
export interface MemberBlocking {
  state: BlocksState;
  actions: Pick<BlockActions, 'blockUser' | 'unblockUser'>;
  online: boolean;
  /** The latest block or unblock was asked for here (not in the menu's list of blocked users): its outcome shows here. */
  showsOutcome: boolean;
}

interface MemberListProps {
  members: string[];
  guests: string[];
  username: string;
  /** In a private room, for its owner and moderators only. */
  moderation?: MemberModeration | null;
  /** Signed in (sign-in optional or required): blocking. */
  blocking?: MemberBlocking | null;
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
    case 'block-user':
      return <>Could not block {name}</>;
    case 'unblock-user':
      return <>Could not unblock {name}</>;
  }
}

/** The people in the room, each name once (two tabs under one name are one person here); guests marked where sign-in is optional. */
export function MemberList({ members, guests, username, moderation = null, blocking = null, roles = {} }: MemberListProps) {
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
  // Any signed-in member but oneself; a guest's name is never a handle.
  const canBlock = (name: string): boolean => blocking !== null && !sameHandle(name, username) && !guests.includes(name);
  const isBlocked = (name: string): boolean => blocking?.state.handles.some((handle) => sameHandle(handle, name)) ?? false;

  const error = moderation?.state.error ?? null;
  const failedAction = error && (MODERATION_ACTIONS as string[]).includes(error.action) ? (error.action as ModerationAction) : null;
  const failedRequest = failedAction === null ? undefined : requests[failedAction];

  // Blocking's outcome, when it was asked for from a member's menu (the chat's error names whom the page asked about).
  const blockError = blocking?.showsOutcome ? blocking.state.error : null;
  const blockRequest: MemberActionRequest | null =
    blockError && blockError.action !== 'list-blocks' && blockError.handle !== null ? { action: blockError.action, handle: blockError.handle } : null;
  const unblocked = blocking?.showsOutcome ? blocking.state.unblocked : null;

  const request = (item: MemberActionRequest) => {
    if (item.action === 'block-user' || item.action === 'unblock-user') {
      if (item.action === 'block-user') blocking?.actions.blockUser(item.handle);
      else blocking?.actions.unblockUser(item.handle);
      return;
    }
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
      {blockError && blockRequest && (
        <p className="hint hint-error" role="alert">
          {failedText(blockRequest)}: {blockError.text}
        </p>
      )}
      {unblocked !== null && (
        <p className="hint" role="status">
          Messages from <bdi>{unblocked}</bdi> show again after the page reloads.
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
              {(canModerate(name) || canBlock(name)) && (
                <MemberActions
                  name={name}
                  moderate={canModerate(name)}
                  ownerActions={moderation?.role === 'owner'}
                  knownRole={role}
                  blocking={canBlock(name) ? (isBlocked(name) ? 'unblock' : 'block') : null}
                  online={moderation?.online ?? blocking?.online ?? false}
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
