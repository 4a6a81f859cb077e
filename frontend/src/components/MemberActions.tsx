import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import type { ModerationAction, RoomRole } from '../chat/protocol';
import { MAX_MUTE_SECONDS } from '../limits';

/** One action asked for from a member's menu: a moderation action, or blocking them. */
export interface MemberActionRequest {
  action: ModerationAction | 'block-user' | 'unblock-user';
  handle: string;
  /** mute-member: for how long; 0 unmutes. */
  seconds?: number;
  /** set-role: the new role. */
  role?: 'moderator' | 'member';
}

/** 10 minutes, 1 hour, 1 day: as far as the chat's longest mute allows. */
export const MUTE_DURATIONS: { seconds: number; label: string }[] = [
  { seconds: 600, label: '10 minutes' },
  { seconds: 3_600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
].filter(({ seconds }) => seconds <= MAX_MUTE_SECONDS);

type Confirming = 'remove-member' | 'hand-over' | 'block-user' | null;

/** What asking first says, and its button, for each action that asks. */
const QUESTIONS: Record<Exclude<Confirming, null>, { label: (name: string) => string; confirm: string }> = {
  'remove-member': { label: (name) => `Remove ${name}?`, confirm: 'Remove' },
  'hand-over': { label: (name) => `Hand the room over to ${name}?`, confirm: 'Hand over' },
  'block-user': { label: (name) => `Block ${name}?`, confirm: 'Block' },
};

function question(confirming: Exclude<Confirming, null>, name: string) {
  const who = <bdi>{name}</bdi>;
  switch (confirming) {
    case 'remove-member':
      return <>Remove {who} from this room? Only a new invite lets them back in.</>;
    case 'hand-over':
      return <>Hand this room over to {who}? They will own it, and you will be one of its moderators.</>;
    case 'block-user':
      return <>Block {who}? You will no longer see their messages; they are not told.</>;
  }
}

interface MemberActionsProps {
  name: string;
  /** The owner's or a moderator's actions on this member (a private room's). */
  moderate?: boolean;
  /** The user owns the room: roles and hand-over too. */
  ownerActions: boolean;
  /** The member's role, when a moderation frame told it. */
  knownRole: RoomRole | null;
  /** Signed in, and so is this member: block them, or unblock them when they are blocked. */
  blocking?: 'block' | 'unblock' | null;
  online: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onRequest: (request: MemberActionRequest) => void;
}

/**
 * "Actions for grace": a small menu of what the owner or a moderator may do to a member, and of
 * blocking them; removing, handing over and blocking ask first.
 */
export function MemberActions({
  name,
  moderate = true,
  ownerActions,
  knownRole,
  blocking = null,
  online,
  open,
  onOpenChange,
  onRequest,
}: MemberActionsProps) {
  const toggleRef = useRef<HTMLButtonElement>(null);
  const popupRef = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const [confirming, setConfirming] = useState<Confirming>(null);

  useEffect(() => {
    if (!open) setConfirming(null);
  }, [open]);

  // The first item (or, when asked to confirm, Cancel) takes the focus.
  useEffect(() => {
    if (!open) return;
    const target = confirming === null ? popupRef.current?.querySelector<HTMLElement>('[role="menuitem"]') : popupRef.current?.querySelector<HTMLElement>('.cancel');
    target?.focus();
  }, [open, confirming]);

  useEffect(() => {
    if (!open) return;
    const closeOnPressOutside = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!popupRef.current?.contains(target) && !toggleRef.current?.contains(target)) onOpenChange(false);
    };
    document.addEventListener('pointerdown', closeOnPressOutside);
    return () => document.removeEventListener('pointerdown', closeOnPressOutside);
  }, [open, onOpenChange]);

  const close = () => {
    onOpenChange(false);
    toggleRef.current?.focus();
  };

  const choose = (request: Omit<MemberActionRequest, 'handle'>) => {
    onRequest({ ...request, handle: name });
    close();
  };

  const handleKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
      return;
    }
    if (confirming !== null || !['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) return;
    const items = [...(popupRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not(:disabled)') ?? [])];
    if (items.length === 0) return;
    event.preventDefault();
    const index = items.indexOf(document.activeElement as HTMLElement);
    const next =
      event.key === 'Home' ? 0 : event.key === 'End' ? items.length - 1 : (index + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
    items[next]?.focus();
  };

  const item = (label: string, onClick: () => void) => (
    <button type="button" role="menuitem" disabled={!online} onClick={onClick}>
      {label}
    </button>
  );

  return (
    <span className="member-actions">
      <button
        ref={toggleRef}
        type="button"
        className="member-actions-button"
        aria-label={`Actions for ${name}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? close() : onOpenChange(true))}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        <div ref={popupRef} className="member-actions-popup" onKeyDown={handleKeyDown}>
          {confirming === null ? (
            <div id={menuId} role="menu" aria-label={`Actions for ${name}`}>
              {moderate &&
                MUTE_DURATIONS.map(({ seconds, label }) => (
                  <button key={seconds} type="button" role="menuitem" disabled={!online} onClick={() => choose({ action: 'mute-member', seconds })}>
                    Mute for {label}
                  </button>
                ))}
              {moderate && item('Unmute', () => choose({ action: 'mute-member', seconds: 0 }))}
              {moderate && ownerActions && knownRole !== 'moderator' && item('Make moderator', () => choose({ action: 'set-role', role: 'moderator' }))}
              {moderate && ownerActions && knownRole !== 'member' && item('Make member', () => choose({ action: 'set-role', role: 'member' }))}
              {moderate && item('Remove from the room…', () => setConfirming('remove-member'))}
              {moderate && ownerActions && item('Hand over ownership…', () => setConfirming('hand-over'))}
              {blocking === 'block' && item('Block…', () => setConfirming('block-user'))}
              {blocking === 'unblock' && item('Unblock', () => choose({ action: 'unblock-user' }))}
            </div>
          ) : (
            <div id={menuId} role="group" aria-label={QUESTIONS[confirming].label(name)}>
              <p>{question(confirming, name)}</p>
              <div className="member-confirm-buttons">
                <button type="button" className="danger" disabled={!online} onClick={() => choose({ action: confirming })}>
                  {QUESTIONS[confirming].confirm}
                </button>
                <button type="button" className="cancel" onClick={close}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </span>
  );
}
