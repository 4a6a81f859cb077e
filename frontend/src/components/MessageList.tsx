import { useLayoutEffect, useRef, useState } from 'react';
import type { OutgoingMessage, TimelineEntry } from '../chat/chatClient';
import type { ChatMessage } from '../chat/protocol';
import { OutgoingItem, TimelineItem } from './TimelineItem';

/** How close to the bottom (px) still counts as "at the bottom", following new messages. */
const FOLLOW_THRESHOLD_PX = 48;

interface MessageListProps {
  timeline: TimelineEntry[];
  outbox: OutgoingMessage[];
  /** The room holds messages older than the timeline's first. */
  olderMessages: boolean;
  onLoadOlder: () => void;
  onRetry: (clientMessageId: string) => void;
  onDiscard: (clientMessageId: string) => void;
  /** Whether the user may delete this message; `onDelete` deletes it (after the user confirms). */
  canDelete?: (message: ChatMessage) => boolean;
  onDelete?: (seq: number) => void;
}

export function MessageList({
  timeline,
  outbox,
  olderMessages,
  onLoadOlder,
  onRetry,
  onDiscard,
  canDelete = () => false,
  onDelete,
}: MessageListProps) {
  const scrollerRef = useRef<HTMLDivElement>(null);
  const followingRef = useRef(true);
  const messageCount = timeline.filter((entry) => entry.kind === 'message').length;
  const seenMessageCount = useRef(messageCount);
  const seenOutboxLength = useRef(outbox.length);
  const [unseenCount, setUnseenCount] = useState(0);

  const scrollToBottom = () => {
    const scroller = scrollerRef.current;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
    followingRef.current = true;
    setUnseenCount(0);
  };

  useLayoutEffect(() => {
    const added = messageCount - seenMessageCount.current;
    const userSent = outbox.length > seenOutboxLength.current;
    seenMessageCount.current = messageCount;
    seenOutboxLength.current = outbox.length;
    if (followingRef.current || userSent) scrollToBottom();
    else if (added > 0) setUnseenCount((count) => count + added);
  }, [timeline, outbox, messageCount]);

  const handleScroll = () => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    followingRef.current = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= FOLLOW_THRESHOLD_PX;
    if (followingRef.current) setUnseenCount(0);
    if (olderMessages && scroller.scrollTop <= FOLLOW_THRESHOLD_PX) onLoadOlder(); // scrolled up to the top
  };

  return (
    <div className="message-area">
      <div
        ref={scrollerRef}
        className="message-scroller"
        role="log"
        aria-live="polite"
        aria-label="Messages"
        tabIndex={0}
        onScroll={handleScroll}
      >
        {olderMessages && (
          <button type="button" className="older-messages" onClick={onLoadOlder}>
            Show older messages
          </button>
        )}
        {timeline.length === 0 && outbox.length === 0 ? (
          <p className="empty-room">No messages yet. Say hello!</p>
        ) : (
          <ol className="message-list">
            {timeline.map((entry) => (
              <TimelineItem
                key={entry.key}
                entry={entry}
                onDelete={entry.kind === 'message' && onDelete && canDelete(entry.message) ? onDelete : null}
              />
            ))}
            {outbox.map((item) => (
              <OutgoingItem key={item.clientMessageId} item={item} onRetry={onRetry} onDiscard={onDiscard} />
            ))}
          </ol>
        )}
      </div>
      {unseenCount > 0 && (
        <button type="button" className="new-messages" onClick={scrollToBottom}>
          {unseenCount === 1 ? '1 new message' : `${unseenCount} new messages`} ↓
        </button>
      )}
    </div>
  );
}
