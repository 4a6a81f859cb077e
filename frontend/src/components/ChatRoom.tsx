import { useEffect, useId, useRef, useState } from 'react';
import { useChatRoom } from '../chat/useChatRoom';
import { ChatMenu } from './ChatMenu';
import { Composer } from './Composer';
import { ConnectionBadge } from './ConnectionBadge';
import { MemberList } from './MemberList';
import { MessageList } from './MessageList';

interface ChatRoomProps {
  websocketUrl: string;
  roomId: string;
  username: string;
}

export function ChatRoom({ websocketUrl, roomId, username }: ChatRoomProps) {
  const { state, send, retry, discard, rename, loadOlder } = useChatRoom(websocketUrl, roomId, username);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButtonRef = useRef<HTMLButtonElement>(null);
  const menuId = useId();

  useEffect(() => {
    document.title = `${roomId} · Serverless Chat`;
  }, [roomId]);

  const closeMenu = () => {
    setMenuOpen(false);
    menuButtonRef.current?.focus();
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
        <h1 className="room-title" dir="auto">
          {roomId}
        </h1>
        <bdi className="header-name" title="Your display name">
          {state.username}
        </bdi>
        <ConnectionBadge status={state.status} />
      </header>
      {menuOpen && (
        <ChatMenu
          id={menuId}
          username={state.username}
          members={state.members}
          toggleRef={menuButtonRef}
          onRename={rename}
          onClose={closeMenu}
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
        />
        <aside className="member-panel">
          <MemberList members={state.members} username={state.username} />
        </aside>
      </div>
      <Composer onSend={send} error={state.error} />
    </div>
  );
}
