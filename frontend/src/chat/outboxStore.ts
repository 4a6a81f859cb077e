import type { OutgoingMessage } from './chatClient';

/** Keeps what the user sent but the server has not confirmed, so a reload does not lose it. */
export interface OutboxStore {
  load(): OutgoingMessage[];
  save(outbox: OutgoingMessage[]): void;
}

function isOutgoingMessage(value: unknown): value is OutgoingMessage {
  const item = value as Partial<OutgoingMessage> | null;
  return (
    typeof item?.clientMessageId === 'string' &&
    typeof item.text === 'string' &&
    (item.state === 'queued' || item.state === 'sending' || item.state === 'unsent') &&
    (item.failure === null || typeof item.failure === 'string')
  );
}

/**
 * One outbox per tab and room, in sessionStorage: it survives a reload but is not shared with other tabs,
 * which would send the same messages again. What was in flight is queued again on load; the server
 * de-duplicates by clientMessageId, so resending what it already stored does not show it twice.
 */
export function sessionOutboxStore(roomId: string): OutboxStore {
  const key = `serverless-chat.outbox.${roomId}`;
  return {
    load() {
      try {
        const items: unknown = JSON.parse(sessionStorage.getItem(key) ?? '[]');
        if (!Array.isArray(items)) return [];
        return items
          .filter(isOutgoingMessage)
          .map((item) => (item.state === 'sending' ? { ...item, state: 'queued' } : item));
      } catch {
        return [];
      }
    },
    save(outbox) {
      try {
        if (outbox.length === 0) sessionStorage.removeItem(key);
        else sessionStorage.setItem(key, JSON.stringify(outbox));
      } catch {
        // storage full or disabled: the outbox still lives in memory
      }
    },
  };
}
