import { type FormEvent, useId, useState } from 'react';
import { isValidRoomId } from '../limits';
import { randomRoomId } from '../names';
import { ROOM_RULE } from '../roomPath';

export function HomePage() {
  const [roomId, setRoomId] = useState(() => randomRoomId());
  const inputId = useId();
  const hintId = useId();
  const valid = isValidRoomId(roomId);

  const start = (event: FormEvent) => {
    event.preventDefault();
    if (valid) window.location.assign(`/${roomId}`);
  };

  return (
    <main className="page-message">
      <h1>Serverless Chat</h1>
      <p>Start a room and share its address with the people you want to talk to.</p>
      <form className="stacked-form" onSubmit={start}>
        <label htmlFor={inputId}>Room name</label>
        <input
          id={inputId}
          value={roomId}
          onChange={(event) => setRoomId(event.target.value.trim())}
          aria-describedby={hintId}
          aria-invalid={!valid}
          autoComplete="off"
          spellCheck={false}
        />
        <p id={hintId} className={valid ? 'hint' : 'hint hint-error'}>
          {valid ? 'Anyone who opens this room’s address joins the same chat.' : ROOM_RULE}
        </p>
        <button type="submit" className="primary" disabled={!valid}>
          Start chatting
        </button>
      </form>
    </main>
  );
}
