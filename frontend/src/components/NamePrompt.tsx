import { useState } from 'react';
import { randomDisplayName } from '../names';
import { DisplayNameForm } from './DisplayNameForm';

export function NamePrompt({ roomId, onChoose }: { roomId: string; onChoose: (name: string) => void }) {
  const [suggestion] = useState(() => randomDisplayName());
  return (
    <main className="page-message">
      <h1>Join “<bdi>{roomId}</bdi>”</h1>
      <p>How should the others in the room see you? You can change it later from the menu.</p>
      <DisplayNameForm initialName={suggestion} submitLabel="Enter the room" onSubmit={onChoose} autoFocus />
    </main>
  );
}
