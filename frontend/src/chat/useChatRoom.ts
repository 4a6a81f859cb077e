import { useEffect, useState, useSyncExternalStore } from 'react';
import { loadGuestKey } from '../guestKey';
import { storeName } from '../storedName';
import { ChatClient, type ChatState } from './chatClient';

export interface ChatRoomHandle {
  state: ChatState;
  send: (text: string) => void;
  retry: (clientMessageId: string) => void;
  discard: (clientMessageId: string) => void;
  rename: (username: string) => void;
  loadOlder: () => void;
}

/** Connects to one room for the component's lifetime; re-render with another room by giving the component a new key. */
export function useChatRoom(websocketUrl: string, roomId: string, username: string): ChatRoomHandle {
  const [client] = useState(() => new ChatClient({ websocketUrl, roomId, username, guestKey: loadGuestKey() }));

  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);

  const state = useSyncExternalStore(client.subscribe, client.getState);

  useEffect(() => {
    storeName(state.username); // the name the server confirmed, for the next visit
  }, [state.username]);

  return {
    state,
    send: (text) => client.send(text),
    retry: (clientMessageId) => client.retry(clientMessageId),
    discard: (clientMessageId) => client.discard(clientMessageId),
    rename: (name) => client.rename(name),
    loadOlder: () => client.loadOlder(),
  };
}
