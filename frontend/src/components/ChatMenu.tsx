import { type KeyboardEvent, type RefObject, useEffect, useRef } from 'react';
import { type Account, AccountSection } from './AccountSection';
import type { AccountBlocking } from './BlockedUsers';
import { DisplayNameForm } from './DisplayNameForm';
import type { RoomRole } from '../chat/protocol';
import { type MemberBlocking, MemberList, type MemberModeration } from './MemberList';
import { type PrivateRoomsProps, PrivateRoomsSection } from './PrivateRoomsSection';

interface ChatMenuProps {
  id: string;
  roomId: string;
  username: string;
  members: string[];
  guests: string[];
  /** Signed in: the name is the handle the chat gave, not changed here. */
  account: Account | null;
  /** Signed in (sign-in optional or required): private rooms. */
  privateRooms: PrivateRoomsProps | null;
  /** In a private room: the roles known, and the owner's or a moderator's actions on members. */
  roles?: Record<string, RoomRole>;
  moderation?: MemberModeration | null;
  /** Signed in: blocking, from each member's actions and from the account's list of blocked users. */
  memberBlocking?: MemberBlocking | null;
  accountBlocking?: AccountBlocking | null;
  /** Signed in: sign out everywhere, the chat told first. */
  onSignOut: () => Promise<void>;
  /** Signed in: delete the account, the chat told after. */
  onDeleteAccount: () => Promise<void>;
  /** The button that opens and closes the menu: a press on it is not a press outside the menu. */
  toggleRef: RefObject<HTMLElement | null>;
  onRename: (name: string) => void;
  onClose: () => void;
}

/** The hamburger menu: change the display name (or the account), see who is here (on narrow screens), start another room. */
export function ChatMenu({
  id,
  roomId,
  username,
  members,
  guests,
  account,
  privateRooms,
  roles = {},
  moderation = null,
  memberBlocking = null,
  accountBlocking = null,
  onSignOut,
  onDeleteAccount,
  toggleRef,
  onRename,
  onClose,
}: ChatMenuProps) {
  const panelRef = useRef<HTMLElement>(null);

  useEffect(() => {
    panelRef.current?.querySelector('input')?.focus();
  }, []);

  useEffect(() => {
    const closeOnPressOutside = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panelRef.current?.contains(target) && !toggleRef.current?.contains(target)) onClose();
    };
    document.addEventListener('pointerdown', closeOnPressOutside);
    return () => document.removeEventListener('pointerdown', closeOnPressOutside);
  }, [toggleRef, onClose]);

  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onClose();
  };

  return (
    <nav id={id} ref={panelRef} className="chat-menu" aria-label="Menu" onKeyDown={closeOnEscape}>
      {account ? (
        <AccountSection handle={username} onSignOut={onSignOut} onDeleteAccount={onDeleteAccount} blocking={accountBlocking} />
      ) : (
        <DisplayNameForm
          initialName={username}
          submitLabel="Change name"
          onSubmit={(name) => {
            if (name !== username) onRename(name);
            onClose();
          }}
        />
      )}
      {privateRooms && <PrivateRoomsSection roomId={roomId} {...privateRooms} />}
      <div className="menu-members">
        <MemberList
          members={members}
          guests={guests}
          username={username}
          roles={roles}
          moderation={moderation}
          blocking={memberBlocking}
        />
      </div>
      <p>
        <a href="/">Start another room</a>
      </p>
    </nav>
  );
}
