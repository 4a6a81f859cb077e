import { useState } from 'react';
import { authErrorText } from '../auth/identityProvider';
import { type AccountBlocking, BlockedUsers } from './BlockedUsers';

export interface Account {
  idToken: string;
  onTokenExpired: () => void;
  /** The chat signed this user out unasked (another tab or device, or an operator). */
  onSignedOut: () => void;
  /** Signs out everywhere: `signOutOfChat` (the open socket's `sign-out`, bounded) first, then the sign-in service. */
  onSignOut: (signOutOfChat: () => Promise<void>) => Promise<void>;
  /** Deletes the account, then `signOutOfChat` as a sign-out does. */
  onDeleteAccount: (signOutOfChat: () => Promise<void>) => Promise<void>;
}

interface AccountSectionProps {
  handle: string;
  /** The account's sign-out, with the chat told first. */
  onSignOut: () => Promise<void>;
  /** The account's deletion, with the chat told after. */
  onDeleteAccount: () => Promise<void>;
  /** Whom the user blocks, with a way to unblock each. */
  blocking?: AccountBlocking | null;
}

/** In the menu of a signed-in user: who they are (the handle the chat gave them), sign out, delete the account, whom they block. */
export function AccountSection({ handle, onSignOut, onDeleteAccount, blocking = null }: AccountSectionProps) {
  const [signingOut, setSigningOut] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const deleteAccount = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await onDeleteAccount();
    } catch (error) {
      setProblem(authErrorText(error));
      setBusy(false);
    }
  };

  return (
    <section className="account" aria-label="Account">
      <p>
        Signed in as <bdi className="name">{handle}</bdi>
      </p>
      <button
        type="button"
        disabled={signingOut}
        onClick={() => {
          setSigningOut(true);
          void onSignOut();
        }}
      >
        {signingOut ? 'Signing out…' : 'Sign out'}
      </button>
      {!confirming ? (
        <button type="button" onClick={() => setConfirming(true)}>
          Delete account
        </button>
      ) : (
        <div role="group" aria-label="Delete account">
          <p>Delete your account for good? You will be signed out on every device, and this cannot be undone.</p>
          <button type="button" className="danger" onClick={() => void deleteAccount()} disabled={busy}>
            Delete my account
          </button>
          <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
            Keep my account
          </button>
          {problem && (
            <p className="hint hint-error" role="alert">
              {problem}
            </p>
          )}
        </div>
      )}
      {blocking && <BlockedUsers {...blocking} />}
    </section>
  );
}
