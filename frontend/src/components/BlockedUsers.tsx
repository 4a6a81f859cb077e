import { useEffect, useId, useRef } from 'react';
import { type BlocksState, sameHandle } from '../chat/chatClient';
import type { BlockActions } from '../chat/useChatRoom';

export interface AccountBlocking {
  state: BlocksState;
  actions: Pick<BlockActions, 'listBlocks' | 'unblockUser'>;
  online: boolean;
  /** The latest block or unblock was asked for here (not from a member's menu): its outcome shows here. */
  showsOutcome: boolean;
}

/**
 * In a signed-in user's account section: whom they block, in every room, each with an Unblock
 * button (also for people not in this room). The page asked `list-blocks` on connecting.
 */
export function BlockedUsers({ state, actions, online, showsOutcome }: AccountBlocking) {
  const headingId = useId();
  const { handles, listed, pending, error, unblocked } = state;
  const unblocking = (handle: string): boolean =>
    pending.some((request) => request.action === 'unblock-user' && request.handle !== null && sameHandle(request.handle, handle));
  const listError = error?.action === 'list-blocks' ? error.text : null;
  const unblockError = showsOutcome && error?.action === 'unblock-user' ? error : null;
  const headingRef = useRef<HTMLHeadingElement>(null);
  // An unblocked handle's row goes, and its button with the focus: the heading takes it (Escape still closes the menu).
  const unblockedHere = useRef(false);
  useEffect(() => {
    if (!unblockedHere.current || (document.activeElement !== null && document.activeElement !== document.body)) return;
    unblockedHere.current = false;
    headingRef.current?.focus();
  }, [handles]);

  return (
    <section className="blocked-users" aria-labelledby={headingId}>
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        Blocked users
      </h2>
      {unblockError && (
        <p className="hint hint-error" role="alert">
          {unblockError.handle !== null && (
            <>
              Could not unblock <bdi>{unblockError.handle}</bdi>:{' '}
            </>
          )}
          {unblockError.text}
        </p>
      )}
      {showsOutcome && unblocked !== null && (
        <p className="hint" role="status">
          Messages from <bdi>{unblocked}</bdi> show again after the page reloads.
        </p>
      )}
      {!listed &&
        (listError === null ? (
          <p className="hint">Loading the people you block…</p>
        ) : (
          <div className="blocked-users-unlisted">
            <p className="hint hint-error" role="alert">
              The people you block could not be listed: {listError}
            </p>
            <button type="button" onClick={actions.listBlocks} disabled={!online}>
              Try again
            </button>
          </div>
        ))}
      {listed && handles.length === 0 && <p className="hint">You block nobody. Block someone from their menu in the member list.</p>}
      {handles.length > 0 && (
        <ul className="blocked-list" aria-labelledby={headingId}>
          {handles.map((handle) => (
            <li key={handle}>
              <bdi className="name">{handle}</bdi>
              <button
                type="button"
                aria-label={`Unblock ${handle}`}
                disabled={!online || unblocking(handle)}
                onClick={() => {
                  unblockedHere.current = true;
                  actions.unblockUser(handle);
                }}
              >
                {unblocking(handle) ? 'Unblocking…' : 'Unblock'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
