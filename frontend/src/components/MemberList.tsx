import { useId } from 'react';

/** The people in the room, each name once (two tabs under one name are one person here); guests marked where sign-in is optional. */
export function MemberList({ members, guests, username }: { members: string[]; guests: string[]; username: string }) {
  const headingId = useId();
  const names = [...new Set(members)].sort((a, b) => a.localeCompare(b));
  return (
    <section className="member-list" aria-labelledby={headingId}>
      <h2 id={headingId}>In this room ({names.length})</h2>
      <ul>
        {names.map((name) => (
          <li key={name}>
            <bdi>{name}</bdi>
            {guests.includes(name) && <span className="guest-marker"> guest</span>}
            {name === username && <span className="you-marker"> (you)</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
