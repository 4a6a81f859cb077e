import { type FormEvent, type KeyboardEvent, type RefObject, useEffect, useId, useRef, useState } from 'react';
import type { PrivateRoomsState } from '../chat/chatClient';
import type { RoomAction } from '../chat/protocol';
import type { PrivateRoomActions } from '../chat/useChatRoom';
import { DEFAULT_INVITE_LIFETIME_SECONDS, MAX_INVITES_PER_ROOM, MAX_INVITE_LIFETIME_SECONDS } from '../limits';
import { inviteLink } from '../roomPath';

const DAY_SECONDS = 86_400;

/** 1, 7 or 30 days, as far as the chat allows, and its default lifetime among them. */
export const INVITE_LIFETIMES: number[] = [...new Set([1, 7, 30].map((days) => days * DAY_SECONDS).concat(DEFAULT_INVITE_LIFETIME_SECONDS))]
  .filter((seconds) => seconds <= MAX_INVITE_LIFETIME_SECONDS)
  .sort((a, b) => a - b);

function lifetimeLabel(seconds: number): string {
  const days = seconds / DAY_SECONDS;
  if (Number.isInteger(days)) return days === 1 ? '1 day' : `${days} days`;
  return `${Math.round(seconds / 3600)} hours`;
}

function expiryText(expiresAt: string): string {
  return new Date(expiresAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

const INVITE_ACTIONS: RoomAction[] = ['create-invite', 'list-invites', 'revoke-invite'];

interface InvitePanelProps {
  id: string;
  roomId: string;
  state: PrivateRoomsState;
  actions: PrivateRoomActions;
  online: boolean;
  /** The button that opens and closes the panel: a press on it is not a press outside the panel. */
  toggleRef: RefObject<HTMLElement | null>;
  onClose: () => void;
}

/** A private room's owner's panel: invite links (made, copied, listed, revoked) and adding a member by handle. */
export function InvitePanel({ id, roomId, state, actions, online, toggleRef, onClose }: InvitePanelProps) {
  const panelRef = useRef<HTMLElement>(null);
  const [lifetime, setLifetime] = useState(DEFAULT_INVITE_LIFETIME_SECONDS);
  const [handle, setHandle] = useState('');
  const lifetimeId = useId();
  const handleId = useId();
  const { listInvites } = actions;

  // Listed when the panel opens; the answers to what is done here keep the list after that.
  const [listOnOpen] = useState(() => listInvites);
  useEffect(() => listOnOpen(), [listOnOpen]);

  const { invites, newInvite, pending, error, addedMember } = state;

  useEffect(() => {
    if (addedMember !== null) setHandle('');
  }, [addedMember]);
  const inviteProblem = error && INVITE_ACTIONS.includes(error.action) ? error.text : null;
  const addProblem = error?.action === 'add-member' ? error.text : null;
  const creating = pending.includes('create-invite');
  const adding = pending.includes('add-member');
  const full = invites !== null && invites.length >= MAX_INVITES_PER_ROOM;
  const link = (code: string) => inviteLink(window.location.origin, roomId, code);

  const createInvite = (event: FormEvent) => {
    event.preventDefault();
    actions.createInvite(lifetime === DEFAULT_INVITE_LIFETIME_SECONDS ? null : lifetime);
  };

  const addMember = (event: FormEvent) => {
    event.preventDefault();
    const name = handle.trim();
    if (name === '') return;
    actions.addMember(name);
  };

  useEffect(() => {
    panelRef.current?.querySelector('select')?.focus();
  }, []);

  useEffect(() => {
    const closeOnPressOutside = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panelRef.current?.contains(target) && !toggleRef.current?.contains(target)) onClose();
    };
    document.addEventListener('pointerdown', closeOnPressOutside);
    return () => document.removeEventListener('pointerdown', closeOnPressOutside);
  }, [toggleRef, onClose]);

  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onClose();
  };

  return (
    <section id={id} ref={panelRef} className="invite-panel" aria-label="Invite" onKeyDown={closeOnEscape}>
      <div className="invite-panel-header">
        <h2>Invite to this private room</h2>
        <button type="button" className="link-button" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="hint">Whoever opens an invite link while signed in becomes a member. Share it only with the people you mean.</p>

      <form className="invite-form" onSubmit={createInvite}>
        <label htmlFor={lifetimeId}>Link valid for</label>
        <select id={lifetimeId} value={lifetime} onChange={(event) => setLifetime(Number(event.target.value))}>
          {INVITE_LIFETIMES.map((seconds) => (
            <option key={seconds} value={seconds}>
              {lifetimeLabel(seconds)}
            </option>
          ))}
        </select>
        <button type="submit" className="primary" disabled={!online || creating || full}>
          {creating ? 'Creating…' : 'Create invite link'}
        </button>
      </form>
      {full && <p className="hint">This room has {MAX_INVITES_PER_ROOM} live invites, the most it can have: revoke one to make another.</p>}
      {inviteProblem && (
        <p className="hint hint-error" role="alert">
          {inviteProblem}
        </p>
      )}

      {newInvite && (
        <div className="new-invite" role="group" aria-label="New invite link">
          <LinkField link={link(newInvite.code)} label="Invite link" />
          <p className="hint">
            Expires <time dateTime={newInvite.expiresAt}>{expiryText(newInvite.expiresAt)}</time>
          </p>
        </div>
      )}

      <h3>Live invites</h3>
      {invites === null ? (
        <p className="hint">{pending.includes('list-invites') ? 'Loading the invites…' : 'The invites could not be listed.'}</p>
      ) : invites.length === 0 ? (
        <p className="hint">No live invites.</p>
      ) : (
        <ul className="invite-list" aria-label="Live invites">
          {invites.map((invite) => (
            <li key={invite.code}>
              <span>
                Expires <time dateTime={invite.expiresAt}>{expiryText(invite.expiresAt)}</time>
              </span>
              <CopyLinkButton link={link(invite.code)} />
              <button type="button" onClick={() => actions.revokeInvite(invite.code)} disabled={!online} aria-label={`Revoke the invite expiring ${expiryText(invite.expiresAt)}`}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}

      <h3>Add by handle</h3>
      <form className="invite-form" onSubmit={addMember}>
        <label htmlFor={handleId} className="visually-hidden">
          Handle
        </label>
        <input
          id={handleId}
          value={handle}
          onChange={(event) => setHandle(event.target.value)}
          placeholder="Their handle"
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" disabled={!online || adding || handle.trim() === ''}>
          {adding ? 'Adding…' : 'Add'}
        </button>
      </form>
      {addProblem && (
        <p className="hint hint-error" role="alert">
          {addProblem}
        </p>
      )}
      {addedMember !== null && (
        <p className="hint" role="status">
          <bdi>{addedMember}</bdi> is a member now.
        </p>
      )}
    </section>
  );
}

type CopyState = 'idle' | 'copied' | 'failed';

/** Copies to the clipboard; where the browser will not, selects the text in a field for the user to copy. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (!navigator.clipboard) return false;
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** The link in a read-only field (to copy by hand too) and a Copy button. */
function LinkField({ link, label }: { link: string; label: string }) {
  const [copy, setCopy] = useState<CopyState>('idle');
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();

  useEffect(() => setCopy('idle'), [link]);

  const copyLink = async () => {
    const copied = await copyText(link);
    setCopy(copied ? 'copied' : 'failed');
    if (!copied) inputRef.current?.select();
  };

  return (
    <div className="link-field">
      <label htmlFor={inputId}>{label}</label>
      <div className="link-field-row">
        <input id={inputId} ref={inputRef} value={link} readOnly onFocus={(event) => event.target.select()} spellCheck={false} />
        <button type="button" onClick={() => void copyLink()}>
          Copy link
        </button>
      </div>
      {copy !== 'idle' && (
        <p className="hint" role="status">
          {copy === 'copied' ? 'Copied.' : 'This browser would not copy it: the link is selected in the field above, copy it from there.'}
        </p>
      )}
    </div>
  );
}

/** Copy a listed invite's link; where the browser will not, its link shows in a field. */
function CopyLinkButton({ link }: { link: string }) {
  const [copy, setCopy] = useState<CopyState>('idle');
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (copy === 'failed') inputRef.current?.select();
  }, [copy]);

  return (
    <>
      <button type="button" onClick={() => void copyText(link).then((copied) => setCopy(copied ? 'copied' : 'failed'))}>
        {copy === 'copied' ? 'Copied' : 'Copy link'}
      </button>
      {copy === 'failed' && (
        <input ref={inputRef} className="link-fallback" value={link} readOnly aria-label="Invite link" onFocus={(event) => event.target.select()} />
      )}
    </>
  );
}
