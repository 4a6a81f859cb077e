import { useState } from 'react';
import { randomDisplayName } from '../names';
import { DisplayNameForm } from './DisplayNameForm';

interface NamePromptProps {
  roomId: string;
  onChoose: (name: string) => void;
  /** Sign-in optional: signing in instead of choosing a guest's name. */
  onSignIn?: () => void;
  /** Why the page is signed out, when it did not ask to be (sign-in optional). */
  notice?: string | null;
}

export function NamePrompt({ roomId, onChoose, onSignIn, notice = null }: NamePromptProps) {
  const [suggestion] = useState(() => randomDisplayName());
  return (
    <main className="page-message">
      <h1>Join “<bdi>{roomId}</bdi>”</h1>
      {notice && (
        <p className="notice" aria-live="polite">
          {notice}
        </p>
      )}
      <p>How should the others in the room see you? You can change it later from the menu.</p>
      <DisplayNameForm initialName={suggestion} submitLabel={onSignIn ? 'Enter as a guest' : 'Enter the room'} onSubmit={onChoose} autoFocus />
      {onSignIn && (
        <p>
          Have an account?{' '}
          <button type="button" className="link-button" onClick={onSignIn}>
            Sign in
          </button>
        </p>
      )}
    </main>
  );
}
