import { useEffect, useState } from 'react';
import { type ChatConfig, loadConfig } from '../config';
import { routeFromPath } from '../roomPath';
import { loadStoredName, storeName } from '../storedName';
import { AuthChat } from './AuthChat';
import { ChatRoom } from './ChatRoom';
import { HomePage } from './HomePage';
import { InvalidRoomPage } from './InvalidRoomPage';
import { NamePrompt } from './NamePrompt';

type ConfigState = { status: 'loading' } | { status: 'ready'; config: ChatConfig } | { status: 'failed' };

export function App() {
  const [route] = useState(() => routeFromPath(window.location.pathname));
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

  if (route.page === 'home') return <HomePage />;
  if (route.page === 'invalid-room') return <InvalidRoomPage requested={route.requested} />;
  const chooseName = (name: string) => {
    storeName(name);
    setUsername(name);
  };
  if (configState.status === 'ready' && configState.config.auth !== null) {
    const { websocketUrl, auth } = configState.config;
    return <AuthChat websocketUrl={websocketUrl} auth={auth} roomId={route.roomId} guestName={username} onGuestName={chooseName} />;
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
