import { Fragment, type ReactNode } from 'react';
import type { ModerationEntry, OutgoingMessage, PresenceEntry, TimelineEntry } from '../chat/chatClient';
import { clockTime } from '../chat/errorText';
import { MessageText } from './MessageText';

function formatTime(sentAt: string): string {
  return new Date(sentAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** A name someone chose, isolated so its text (a right-to-left name, a bidi control) cannot reorder the line around it. */
function Name({ children }: { children: string }) {
  return <bdi className="name">{children}</bdi>;
}

/** "ada", "ada and bob", "ada, bob and carol", "ada, bob and 3 others" — each name isolated. */
function listOfNames(names: string[]): ReactNode {
  const named = names.length <= 3 ? names : names.slice(0, 2);
  const items: ReactNode[] = named.map((name, index) => <Name key={index}>{name}</Name>);
  if (names.length > 3) items.push(`${names.length - 2} others`);
  return items.map((item, index) => (
    <Fragment key={index}>
      {index > 0 && (index === items.length - 1 ? ' and ' : ', ')}
      {item}
    </Fragment>
  ));
}

function presenceText({ event, username, previousUsername, usernames }: PresenceEntry): ReactNode {
  if (event === 'join') {
    return (
      <>
        <Name>{username}</Name> joined
      </>
    );
  }
  if (event === 'leave') return <>{listOfNames(usernames)} left</>;
  if (previousUsername === null) {
    return (
      <>
        <Name>{username}</Name> changed their name
      </>
    );
  }
  return (
    <>
      <Name>{previousUsername}</Name> is now <Name>{username}</Name>
    </>
  );
}

/** "ada muted grace until 12:10", "ada made grace a moderator", "ada handed the room over to grace"… */
function moderationText({ action, by, target, role, until }: ModerationEntry): ReactNode {
  const actor = <Name>{by}</Name>;
  const subject = <Name>{target}</Name>;
  switch (action) {
    case 'muted':
      return (
        <>
          {actor} muted {subject}
          {until !== null && (
            <>
              {' until '}
              <time dateTime={until} title={new Date(until).toLocaleString()}>
                {clockTime(new Date(until))}
              </time>
            </>
          )}
        </>
      );
    case 'unmuted':
      return (
        <>
          {actor} unmuted {subject}
        </>
      );
    case 'removed':
      return (
        <>
          {actor} removed {subject}
        </>
      );
    case 'role_changed':
      return (
        <>
          {actor} made {subject} {role === 'moderator' ? 'a moderator' : 'a member'}
        </>
      );
    case 'handed_over':
      return (
        <>
          {actor} handed the room over to {subject}
        </>
      );
  }
}

interface TimelineItemProps {
  entry: TimelineEntry;
  /** Offered where the user may delete the message (their own, or as a private room's owner or moderator). */
  onDelete?: ((seq: number) => void) | null;
}

/** Asks before deleting: a deletion cannot be undone. */
function confirmDeletion(author: string, own: boolean): boolean {
  return window.confirm(own ? 'Delete your message? This cannot be undone.' : `Delete this message from ${author}? This cannot be undone.`);
}

export function TimelineItem({ entry, onDelete = null }: TimelineItemProps) {
  if (entry.kind === 'presence') return <li className="system-line">{presenceText(entry)}</li>;
  if (entry.kind === 'moderation') return <li className="system-line moderation-line">{moderationText(entry)}</li>;
  const { message } = entry;
  const classes = ['message', message.isOwnMessage ? 'own' : '', message.deleted ? 'deleted' : ''].filter(Boolean);
  return (
    <li className={classes.join(' ')}>
      <div className="message-meta">
        {message.isOwnMessage ? (
          <span className="visually-hidden">You</span>
        ) : (
          <>
            <bdi className="message-author">{message.username}</bdi>
            {message.guest && <span className="guest-marker"> guest</span>}
          </>
        )}{' '}
        <time dateTime={message.sentAt} title={new Date(message.sentAt).toLocaleString()}>
          {formatTime(message.sentAt)}
        </time>
      </div>
      {message.deleted ? (
        <p className="message-deleted">
          {message.deletedBy === undefined ? (
            'Message deleted'
          ) : (
            <>
              Message removed by <Name>{message.deletedBy}</Name>
            </>
          )}
        </p>
      ) : (
        <MessageText text={message.message} />
      )}
      {onDelete !== null && !message.deleted && (
        <button
          type="button"
          className="message-delete"
          aria-label={message.isOwnMessage ? 'Delete your message' : `Delete message from ${message.username}`}
          onClick={() => {
            if (confirmDeletion(message.username, message.isOwnMessage)) onDelete(message.seq);
          }}
        >
          Delete
        </button>
      )}
    </li>
  );
}

const OUTGOING_STATUS: Record<OutgoingMessage['state'], string> = {
  queued: 'Waiting for the connection…',
  sending: 'Sending…',
  unsent: 'Not sent',
};

interface OutgoingItemProps {
  item: OutgoingMessage;
  onRetry: (clientMessageId: string) => void;
  onDiscard: (clientMessageId: string) => void;
}

export function OutgoingItem({ item, onRetry, onDiscard }: OutgoingItemProps) {
  return (
    <li className={`message own outgoing outgoing-${item.state}`}>
      <div className="message-meta">
        <span className="visually-hidden">You</span> <span className="outgoing-status">{OUTGOING_STATUS[item.state]}</span>
      </div>
      <MessageText text={item.text} />
      {item.state === 'unsent' && (
        <div className="outgoing-actions">
          {item.failure && <span className="outgoing-failure">{item.failure}</span>}
          <button type="button" onClick={() => onRetry(item.clientMessageId)}>
            Send again
          </button>
          <button type="button" onClick={() => onDiscard(item.clientMessageId)}>
            Discard
          </button>
        </div>
      )}
    </li>
  );
}
