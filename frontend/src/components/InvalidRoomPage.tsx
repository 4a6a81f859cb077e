import { useState } from 'react';
import { randomRoomId } from '../names';
import { ROOM_RULE } from '../roomPath';

export function InvalidRoomPage({ requested }: { requested: string }) {
  const [suggestion] = useState(() => randomRoomId());
  return (
    <main className="page-message">
      <h1>There is no room at this address</h1>
      <p>
        “<bdi className="requested-room">{requested}</bdi>” can’t be a room name. {ROOM_RULE}
      </p>
      <p>
        <a className="button primary" href={`/${suggestion}`}>
          Open room {suggestion}
        </a>{' '}
        <a className="button" href="/">
          Go to the start page
        </a>
      </p>
    </main>
  );
}
