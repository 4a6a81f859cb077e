import { useEffect, useId, useRef, useState } from 'react';
import { mutedText } from '../chat/errorText';
import type { ChatMessage } from '../chat/protocol';
import { type RoomInvite, useChatRoom } from '../chat/useChatRoom';
import { isPrivateRoomId } from '../limits';
import { navigation } from '../navigation';
import { roomPath } from '../roomPath';
import type { Account } from './AccountSection';
import { ChatMenu } from './ChatMenu';
import { Composer } from './Composer';
import { TypingLine } from './TypingLine';
import { ConnectionBadge } from './ConnectionBadge';
import { InvitePanel } from './InvitePanel';
import { MemberList } from './MemberList';
import { MessageList } from './MessageList';
import { NotInvitedPage } from './NotInvitedPage';
import { RemovedPage } from './RemovedPage';

interface ChatRoomProps {
  websocketUrl: string;
  roomId: string;
  username: string;
  /** Signed in: the socket carries its token, and the name is the handle the chat gives. */
  account?: Account | null;
  /** A guest where sign-in is offered (sign-in optional). */
  onSignIn?: (() => void) | null;
  /** Why the page is signed out, when it did not ask to be. */
  notice?: string | null;
  /** A private room's invite from the link: sent on entering when signed in. */
  invite?: RoomInvite | null;
}

export function ChatRoom({
  websocketUrl,
  roomId,
  username,
  account = null,
  onSignIn = null,
  notice = null,
  invite = null,
}: ChatRoomProps) {
  const identity = account && { idToken: account.idToken, onTokenExpired: account.onTokenExpired, onSignedOut: account.onSignedOut };
  const { state, send, typing, retry, discard, rename, loadOlder, deleteMessage, signOut, privateRooms, blocks } = useChatRoom(
    websocketUrl,
    roomId,
    username,
    identity,
    invite,
  );
  // The invite this client was made with (the prop goes once the chat has taken it).
  const [sentInvite] = useState(() => identity !== null && invite !== null);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButtonRef = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  const [inviteOpen, setInviteOpen] = useState(false);
  const inviteButtonRef = useRef<HTMLButtonElement>(null);
  const inviteId = useId();
  const isPrivate = isPrivateRoomId(roomId);
  const online = state.status === 'online';

  useEffect(() => {
    document.title = `${roomId} · Serverless Chat`;
  }, [roomId]);

  const { createdRoomId, pending } = state.privateRooms;
  useEffect(() => {
    if (createdRoomId !== null) navigation.go(roomPath(createdRoomId));
  }, [createdRoomId]);

  const signedIn = account !== null;
  // Signed in: whom the user blocks, asked once (blocked and unblocked keep it after).
  const [askedBlocks, setAskedBlocks] = useState(false);
  const { listBlocks } = blocks;
  useEffect(() => {
    if (!online || !signedIn || askedBlocks) return;
    setAskedBlocks(true);
    listBlocks();
  }, [online, signedIn, askedBlocks, listBlocks]);
  // Where the latest block or unblock was asked for, to say its outcome there.
  const [blockedFrom, setBlockedFrom] = useState<'members' | 'account'>('members');
  const blockingFrom = (from: 'members' | 'account') => ({
    state: state.blocks,
    online,
    showsOutcome: blockedFrom === from,
    actions: {
      listBlocks,
      blockUser: (handle: string) => {
        setBlockedFrom(from);
        blocks.blockUser(handle);
      },
      unblockUser: (handle: string) => {
        setBlockedFrom(from);
        blocks.unblockUser(handle);
      },
    },
  });
  const memberBlocking = signedIn ? blockingFrom('members') : null;
  const accountBlocking = signedIn ? blockingFrom('account') : null;

  // In a private room, a signed-in user's role: the owner gets the invite panel.
  const [askedRole, setAskedRole] = useState(false);
  const { listRooms } = privateRooms;
  useEffect(() => {
    if (!online || !isPrivate || !signedIn || askedRole) return;
    setAskedRole(true);
    listRooms();
  }, [online, isPrivate, signedIn, askedRole, listRooms]);
  // From list-rooms, then the moderation frames about this user (made a moderator, handed the room…).
  const { role, knownRoles } = state.privateRooms;
  // Unknown (the list failed): offered anyway, and a member's try says `not_room_owner` in plain words.
  const offersInvites = signedIn && isPrivate && (role === 'owner' || (role === null && askedRole && !pending.includes('list-rooms')));

  // The owner and moderators get a menu of actions per member (the chat checks each one).
  const moderatorRole = signedIn && isPrivate && (role === 'owner' || role === 'moderator') ? role : null;
  // One's own messages; in a private room, its owner and moderators delete anyone's.
  const canDelete = (message: ChatMessage) => online && (message.isOwnMessage || moderatorRole !== null);
  const moderation = moderatorRole && { role: moderatorRole, state: state.privateRooms, actions: privateRooms, online };
  const roles = signedIn && isPrivate ? { ...knownRoles, ...(role !== null ? { [state.username]: role } : {}) } : {};

  if (state.refused === 'removed') return <RemovedPage by={state.removedBy} />;
  if (state.refused !== null) {
    return <NotInvitedPage inviteRefused={sentInvite} onSignIn={onSignIn} hasInvite={invite !== null} />;
  }

  const closeMenu = () => {
    setMenuOpen(false);
    menuButtonRef.current?.focus();
  };

  const closeInvite = () => {
    setInviteOpen(false);
    inviteButtonRef.current?.focus();
  };

  return (
    <div className="chat">
      <header className="chat-header">
        <button
          ref={menuButtonRef}
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls={menuId}
          aria-label="Menu"
          onClick={() => (menuOpen ? closeMenu() : setMenuOpen(true))}
        >
          <span aria-hidden="true">☰</span>
        </button>
        {isPrivate && (
          <span className="private-marker" title="Only its members can enter">
            <span aria-hidden="true">🔒</span> <span className="private-marker-text">Private room</span>
          </span>
        )}
        <h1 className="room-title" dir="auto">
          {roomId}
        </h1>
        {offersInvites && (
          <button
            ref={inviteButtonRef}
            type="button"
            className="invite-button"
            aria-expanded={inviteOpen}
            aria-controls={inviteId}
            onClick={() => (inviteOpen ? closeInvite() : setInviteOpen(true))}
          >
            Invite
          </button>
        )}
        <bdi className="header-name" title="Your display name">
          {state.username}
        </bdi>
        <ConnectionBadge status={state.status} />
        {onSignIn && (
          <button type="button" className="sign-in-button" onClick={onSignIn}>
            Sign in
          </button>
        )}
      </header>
      {notice && (
        <p className="notice" aria-live="polite">
          {notice}
        </p>
      )}
      {menuOpen && (
        <ChatMenu
          id={menuId}
          roomId={roomId}
          username={state.username}
          members={state.members}
          guests={state.guests}
          account={account}
          privateRooms={account && { state: state.privateRooms, actions: privateRooms, online: state.status === 'online' }}
          roles={roles}
          moderation={moderation}
          memberBlocking={memberBlocking}
          accountBlocking={accountBlocking}
          onSignOut={() => account?.onSignOut(signOut) ?? Promise.resolve()}
          onDeleteAccount={() => account?.onDeleteAccount(signOut) ?? Promise.resolve()}
          toggleRef={menuButtonRef}
          onRename={rename}
          onClose={closeMenu}
        />
      )}
      {offersInvites && inviteOpen && (
        <InvitePanel
          id={inviteId}
          roomId={roomId}
          state={state.privateRooms}
          actions={privateRooms}
          online={online}
          toggleRef={inviteButtonRef}
          onClose={closeInvite}
        />
      )}
      <div className="chat-body">
        <MessageList
          timeline={state.timeline}
          outbox={state.outbox}
          olderMessages={state.olderMessages}
          onLoadOlder={loadOlder}
          onRetry={retry}
          onDiscard={discard}
          canDelete={canDelete}
          onDelete={deleteMessage}
        />
        <aside className="member-panel">
          <MemberList
            members={state.members}
            guests={state.guests}
            username={state.username}
            roles={roles}
            moderation={moderation}
            blocking={memberBlocking}
          />
        </aside>
      </div>
      <TypingLine names={state.typing} />
      <Composer onSend={send} onTyping={typing} error={state.error} notice={state.mutedUntil === null ? null : mutedText(new Date(state.mutedUntil))} />
    </div>
  );
}
