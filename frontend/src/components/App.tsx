import { useEffect, useState } from 'react';
import { type ChatConfig, loadConfig } from '../config';
import type { RoomInvite } from '../chat/useChatRoom';
import { dropInviteFromUrl, inviteFromFragment, routeFromPath } from '../roomPath';
import { loadStoredName, storeName } from '../storedName';
import { AuthChat } from './AuthChat';
import { ChatRoom } from './ChatRoom';
import { HomePage } from './HomePage';
import { InvalidRoomPage } from './InvalidRoomPage';
import { NamePrompt } from './NamePrompt';

type ConfigState = { status: 'loading' } | { status: 'ready'; config: ChatConfig } | { status: 'failed' };

export function App() {
  const [route] = useState(() => routeFromPath(window.location.pathname));
  const roomId = route.page === 'room' ? route.roomId : null;
  // A private room's invite link: `/<roomId>#invite=<code>`, kept until the chat lets the user in with it.
  const [inviteCode, setInviteCode] = useState(() => roomId && inviteFromFragment(roomId, window.location.hash));
  const [username, setUsername] = useState(loadStoredName);
  const [configState, setConfigState] = useState<ConfigState>({ status: 'loading' });

  useEffect(() => {
    let current = true;
    loadConfig().then(
      (config) => current && setConfigState({ status: 'ready', config }),
      () => current && setConfigState({ status: 'failed' }),
    );
    return () => {
      current = false;
    };
  }, []);

  useEffect(() => {
    // Another invite link to this room opened in this tab changes only the fragment: load the page with it.
    const followInvite = () => {
      const code = roomId && inviteFromFragment(roomId, window.location.hash);
      if (code && code !== inviteCode) window.location.reload();
    };
    window.addEventListener('hashchange', followInvite);
    return () => window.removeEventListener('hashchange', followInvite);
  }, [roomId, inviteCode]);

  if (route.page === 'home') return <HomePage />;
  if (route.page === 'invalid-room') return <InvalidRoomPage requested={route.requested} />;
  const invite: RoomInvite | null = inviteCode
    ? {
        code: inviteCode,
        onUsed: () => {
          dropInviteFromUrl();
          setInviteCode(null);
        },
      }
    : null;
  const chooseName = (name: string) => {
    storeName(name);
    setUsername(name);
  };
  if (configState.status === 'ready' && configState.config.auth !== null) {
    const { websocketUrl, auth } = configState.config;
    return (
      <AuthChat
        websocketUrl={websocketUrl}
        auth={auth}
        roomId={route.roomId}
        invite={invite}
        guestName={username}
        onGuestName={chooseName}
      />
    );
  }
  // Without sign-in the name is asked at once, while config.json loads.
  if (username === null) return <NamePrompt roomId={route.roomId} onChoose={chooseName} />;
  if (configState.status === 'loading') {
    return (
      <main className="page-message" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (configState.status === 'failed') {
    return (
      <main className="page-message">
        <h1>The chat could not start</h1>
        <p>Its settings (config.json) could not be loaded. Please reload the page in a moment.</p>
      </main>
    );
  }
  return (
    <ChatRoom key={route.roomId} websocketUrl={configState.config.websocketUrl} roomId={route.roomId} username={username} />
  );
}
