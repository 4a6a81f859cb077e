import type { OutgoingMessage, PresenceEntry, TimelineEntry } from '../chat/chatClient';
import { MessageText } from './MessageText';

function formatTime(sentAt: string): string {
  return new Date(sentAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** "ada", "ada and bob", "ada, bob and carol", "ada, bob and 3 others". */
function listOfNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others`;
}

function presenceText({ event, username, previousUsername, usernames }: PresenceEntry): string {
  if (event === 'join') return `${username} joined`;
  if (event === 'leave') return `${listOfNames(usernames)} left`;
  return previousUsername === null ? `${username} changed their name` : `${previousUsername} is now ${username}`;
}

export function TimelineItem({ entry }: { entry: TimelineEntry }) {
  if (entry.kind === 'presence') return <li className="system-line">{presenceText(entry)}</li>;
  const { message } = entry;
  return (
    <li className={message.isOwnMessage ? 'message own' : 'message'}>
      <div className="message-meta">
        {message.isOwnMessage ? (
          <span className="visually-hidden">You</span>
        ) : (
          <span className="message-author">{message.username}</span>
        )}{' '}
        <time dateTime={message.sentAt} title={new Date(message.sentAt).toLocaleString()}>
          {formatTime(message.sentAt)}
        </time>
      </div>
      <MessageText text={message.message} />
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
