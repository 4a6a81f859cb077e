import { useState } from 'react';
import type { PrivateRoomsState } from '../chat/chatClient';
import type { PrivateRoomActions } from '../chat/useChatRoom';
import { roomPath } from '../roomPath';

export interface PrivateRoomsProps {
  state: PrivateRoomsState;
  actions: PrivateRoomActions;
  /** The chat is connected: actions can be sent. */
  online: boolean;
}

interface PrivateRoomsSectionProps extends PrivateRoomsProps {
  roomId: string;
}

/** In a signed-in user's menu: start a private room (the page goes there), and the user's private rooms. */
export function PrivateRoomsSection({ roomId, state, actions, online }: PrivateRoomsSectionProps) {
  const [showRooms, setShowRooms] = useState(false);
  const creating = state.pending.includes('create-room') || state.createdRoomId !== null;
  const listing = state.pending.includes('list-rooms');
  const { error, rooms } = state;
  const problem = error && (error.action === 'create-room' || error.action === 'list-rooms') ? error.text : null;

  const toggleRooms = () => {
    if (!showRooms) actions.listRooms(); // fresh each time: invites elsewhere may have added some
    setShowRooms(!showRooms);
  };

  return (
    <section className="private-rooms" aria-label="Private rooms">
      <div className="private-rooms-actions">
        <button type="button" onClick={actions.createRoom} disabled={!online || creating}>
          {creating ? 'Creating a private room…' : 'New private room'}
        </button>
        <button type="button" aria-expanded={showRooms} onClick={toggleRooms} disabled={!online && !showRooms}>
          My rooms
        </button>
      </div>
      {problem && (
        <p className="hint hint-error" role="alert">
          {problem}
        </p>
      )}
      {showRooms &&
        (rooms === null ? (
          <p className="hint">{listing ? 'Loading your rooms…' : 'Your rooms could not be listed.'}</p>
        ) : rooms.length === 0 ? (
          <p className="hint">You are not a member of any private room yet.</p>
        ) : (
          <ul className="my-rooms" aria-label="My rooms">
            {rooms.map((room) => (
              <li key={room.roomId}>
                <a href={roomPath(room.roomId)} aria-current={room.roomId === roomId ? 'page' : undefined}>
                  <span aria-hidden="true">🔒 </span>
                  <span className="requested-room">{room.roomId}</span>
                </a>{' '}
                <span className="room-role">{room.role}</span>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
