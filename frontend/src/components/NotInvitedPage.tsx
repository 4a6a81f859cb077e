import { NOT_INVITED_HELP, NOT_INVITED_TITLE } from '../chat/errorText';

interface NotInvitedPageProps {
  /** The entries carried an invite from the link, and the chat did not take it. */
  inviteRefused: boolean;
  /** A guest where sign-in is offered (sign-in optional): only signed-in members enter. */
  onSignIn?: (() => void) | null;
  /** The guest's link holds an invite, which works once signed in. */
  hasInvite?: boolean;
  /** Why the page is signed out, when it did not ask to be. */
  notice?: string | null;
}

/** A private room that did not let this user in (`not_invited`): said once, never tried again on its own. */
export function NotInvitedPage({ inviteRefused, onSignIn = null, hasInvite = false, notice = null }: NotInvitedPageProps) {
  return (
    <main className="page-message">
      <h1>
        <span aria-hidden="true">🔒 </span>
        {NOT_INVITED_TITLE}
      </h1>
      {notice && (
        <p className="notice" aria-live="polite">
          {notice}
        </p>
      )}
      <p>{NOT_INVITED_HELP}</p>
      {inviteRefused && <p>The invite link you opened is not valid any more: it may have expired or been revoked.</p>}
      {onSignIn && (
        <p>
          {hasInvite
            ? 'Your invite link lets you in once you are signed in: members of private rooms enter signed in.'
            : 'Members of private rooms enter signed in.'}
        </p>
      )}
      <p>
        {onSignIn && (
          <>
            <button type="button" className="primary" onClick={onSignIn}>
              Sign in first
            </button>{' '}
          </>
        )}
        <a className="button" href="/">
          Go to the start page
        </a>
      </p>
    </main>
  );
}
