/** Removed from a private room by its owner or a moderator (`removed`): said once, and the page does not enter again on its own. */
export function RemovedPage({ by }: { by: string | null }) {
  return (
    <main className="page-message">
      <h1>
        <span aria-hidden="true">🔒 </span>
        You are no longer in this room
      </h1>
      <p>
        {by === null ? (
          'You were removed from this room.'
        ) : (
          <>
            You were removed from this room by <bdi>{by}</bdi>.
          </>
        )}
      </p>
      <p>Only a new invite link from one of its members makes you a member again.</p>
      <p>
        <a className="button" href="/">
          Go to the start page
        </a>
      </p>
    </main>
  );
}
