import { useState } from 'react';
import { useAuthSession } from '../auth/useAuthSession';
import type { RoomInvite } from '../chat/useChatRoom';
import type { AuthConfig } from '../config';
import { isPrivateRoomId } from '../limits';
import { ChatRoom } from './ChatRoom';
import { NamePrompt } from './NamePrompt';
import { NotInvitedPage } from './NotInvitedPage';
import { SignInPage } from './SignInPage';

interface AuthChatProps {
  websocketUrl: string;
  auth: AuthConfig;
  roomId: string;
  /** A private room's invite from the link: a signed-in user's entries carry it. */
  invite: RoomInvite | null;
  /** A guest's display name (sign-in optional), `null` until chosen. */
  guestName: string | null;
  onGuestName: (name: string) => void;
}

/**
 * A room where sign-in is offered (`optional`: guests beside signed-in users) or needed
 * (`required`). Signed in, the page connects with its ID token and the chat names it by its handle;
 * signing in or out replaces the connection (the room component is keyed by who is connecting).
 */
export function AuthChat({ websocketUrl, auth, roomId, invite, guestName, onGuestName }: AuthChatProps) {
  const { session, state, failed } = useAuthSession(auth);
  const [wantsSignIn, setWantsSignIn] = useState(false);

  if (failed) {
    return (
      <main className="page-message">
        <h1>The chat could not start</h1>
        <p>Its sign-in could not be loaded. Please reload the page in a moment.</p>
      </main>
    );
  }
  if (session === null || state.status === 'restoring') {
    return (
      <main className="page-message" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (state.status === 'signed-in') {
    return (
      <ChatRoom
        key={`user:${state.username}`}
        websocketUrl={websocketUrl}
        roomId={roomId}
        username={state.username}
        invite={invite}
        account={{
          idToken: state.idToken,
          onTokenExpired: () => void session.refreshNow(),
          onSignedOut: () => {
            setWantsSignIn(false);
            session.signedOutElsewhere();
          },
          onSignOut: (signOutOfChat) => {
            setWantsSignIn(false);
            return session.signOut(signOutOfChat);
          },
          onDeleteAccount: async (signOutOfChat) => {
            await session.deleteAccount(signOutOfChat);
            setWantsSignIn(false);
          },
        }}
      />
    );
  }
  const optional = auth.mode === 'optional';
  if (!optional || wantsSignIn) {
    return <SignInPage roomId={roomId} session={session} notice={state.notice} onCancel={optional ? () => setWantsSignIn(false) : undefined} />;
  }
  if (isPrivateRoomId(roomId)) {
    // Only signed-in members enter a private room: a guest is asked to sign in, and never connects.
    return <NotInvitedPage inviteRefused={false} onSignIn={() => setWantsSignIn(true)} hasInvite={invite !== null} notice={state.notice} />;
  }
  if (guestName === null) {
    return <NamePrompt roomId={roomId} onChoose={onGuestName} onSignIn={() => setWantsSignIn(true)} notice={state.notice} />;
  }
  return (
    <ChatRoom
      key="guest"
      websocketUrl={websocketUrl}
      roomId={roomId}
      username={guestName}
      invite={invite}
      onSignIn={() => setWantsSignIn(true)}
      notice={state.notice}
    />
  );
}
