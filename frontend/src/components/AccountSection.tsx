import { useState } from 'react';
import { authErrorText } from '../auth/identityProvider';

export interface Account {
  idToken: string;
  onTokenExpired: () => void;
  onSignOut: () => void;
  onDeleteAccount: () => Promise<void>;
}

/** In the menu of a signed-in user: who they are (the handle the chat gave them), sign out, delete the account. */
export function AccountSection({ handle, account }: { handle: string; account: Account }) {
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const deleteAccount = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await account.onDeleteAccount();
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
      <button type="button" onClick={account.onSignOut}>
        Sign out
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
    </section>
  );
}
