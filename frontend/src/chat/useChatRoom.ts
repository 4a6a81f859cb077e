import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { socketProtocols } from '../auth/socketProtocols';
import { loadGuestKey } from '../guestKey';
import { storeName } from '../storedName';
import { ChatClient, type ChatState } from './chatClient';

export interface ChatRoomHandle {
  state: ChatState;
  send: (text: string) => void;
  /** The user is typing: the others are told, at most once a TYPING_INTERVAL_MS. */
  typing: () => void;
  retry: (clientMessageId: string) => void;
  discard: (clientMessageId: string) => void;
  rename: (username: string) => void;
  loadOlder: () => void;
  /** Deletes a message (`on-delete-message`): its `delete` frame, or the refusal in `state.error`. */
  deleteMessage: (seq: number) => void;
  /** Signs out of the chat everywhere (`sign-out`), then stops: settles within SIGN_OUT_TIMEOUT_MS. */
  signOut: () => Promise<void>;
  /** Private rooms (signed in): the answers come in `state.privateRooms`. */
  privateRooms: PrivateRoomActions;
  /** Blocking (signed in): the answers come in `state.blocks`. */
  blocks: BlockActions;
}

export interface BlockActions {
  listBlocks: () => void;
  blockUser: (handle: string) => void;
  unblockUser: (handle: string) => void;
}

export interface PrivateRoomActions {
  createRoom: () => void;
  listRooms: () => void;
  /** For this room, which the user owns; `null`: the chat's default lifetime. */
  createInvite: (expiresInSeconds: number | null) => void;
  listInvites: () => void;
  revokeInvite: (code: string) => void;
  addMember: (handle: string) => void;
  /** Moderation of this room's members (the owner, or a moderator): each answered by a `moderation` frame. */
  setRole: (handle: string, role: 'moderator' | 'member') => void;
  removeMember: (handle: string) => void;
  /** `seconds` 0 unmutes. */
  muteMember: (handle: string, seconds: number) => void;
  handOver: (handle: string) => void;
}

/** A private room's invite, from the link the user opened. */
export interface RoomInvite {
  code: string;
  /** The chat let the user in with it: a member now, the link need not carry it any more. */
  onUsed: () => void;
}

/** A signed-in user's side of the connection: the token `$connect` checks, and how to renew it. */
export interface SocketIdentity {
  idToken: string;
  onTokenExpired: () => void;
  /** The chat signed this user out unasked (`signed_out`): the connection has stopped for good. */
  onSignedOut: () => void;
}

/**
 * Connects to one room for the component's lifetime; re-render with another room (or another user)
 * by giving the component a new key. A renewed `idToken` replaces the connection with one that
 * carries it (the server closes a connection once the token it came with expires).
 */
export function useChatRoom(
  websocketUrl: string,
  roomId: string,
  username: string,
  identity: SocketIdentity | null = null,
  invite: RoomInvite | null = null,
): ChatRoomHandle {
  const idToken = identity?.idToken ?? null;
  const tokenRef = useRef(idToken);
  const onTokenExpiredRef = useRef(identity?.onTokenExpired);
  const onSignedOutRef = useRef(identity?.onSignedOut);
  const onInviteUsedRef = useRef(invite?.onUsed);
  const [client] = useState(
    () =>
      new ChatClient({
        websocketUrl,
        roomId,
        username,
        guestKey: loadGuestKey(),
        protocols: () => socketProtocols(tokenRef.current),
        // Only a signed-in user becomes a member: a guest's entries never carry the code.
        ...(identity && invite ? { invite: invite.code, onInviteUsed: () => onInviteUsedRef.current?.() } : {}),
        ...(identity
          ? { onTokenExpired: () => onTokenExpiredRef.current?.(), onSignedOut: () => onSignedOutRef.current?.() }
          : {}),
      }),
  );

  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);

  useEffect(() => {
    onTokenExpiredRef.current = identity?.onTokenExpired;
    onSignedOutRef.current = identity?.onSignedOut;
    onInviteUsedRef.current = invite?.onUsed;
  });

  useEffect(() => {
    if (tokenRef.current === idToken) return;
    tokenRef.current = idToken;
    client.reconnect();
  }, [client, idToken]);

  const state = useSyncExternalStore(client.subscribe, client.getState);
  const signedIn = identity !== null;

  useEffect(() => {
    if (!signedIn) storeName(state.username); // a guest's name the server confirmed, for the next visit
  }, [signedIn, state.username]);

  return {
    state,
    send: (text) => client.send(text),
    typing: () => client.typing(),
    retry: (clientMessageId) => client.retry(clientMessageId),
    discard: (clientMessageId) => client.discard(clientMessageId),
    rename: (name) => client.rename(name),
    loadOlder: () => client.loadOlder(),
    deleteMessage: (seq) => client.deleteMessage(seq),
    signOut: () => client.signOut(),
    privateRooms: {
      createRoom: () => client.createRoom(),
      listRooms: () => client.listRooms(),
      createInvite: (expiresInSeconds) => client.createInvite(expiresInSeconds),
      listInvites: () => client.listInvites(),
      revokeInvite: (code) => client.revokeInvite(code),
      addMember: (handle) => client.addMember(handle),
      setRole: (handle, role) => client.setRole(handle, role),
      removeMember: (handle) => client.removeMember(handle),
      muteMember: (handle, seconds) => client.muteMember(handle, seconds),
      handOver: (handle) => client.handOver(handle),
    },
    blocks: {
      listBlocks: () => client.listBlocks(),
      blockUser: (handle) => client.blockUser(handle),
      unblockUser: (handle) => client.unblockUser(handle),
    },
  };
}
