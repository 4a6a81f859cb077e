import { type FormEvent, type KeyboardEvent, useId, useRef, useState } from 'react';
import { MAX_MESSAGE_LENGTH, codePointLength } from '../limits';

/** The counter shows once a message is this close to the limit. */
const COUNTER_MARGIN = 200;

interface ComposerProps {
  onSend: (text: string) => void;
  /** The draft changed to something to send: the others may be told the user is typing. */
  onTyping?: () => void;
  error: string | null;
  /** Said above the input until it no longer holds (muted in the room, and until when). */
  notice?: string | null;
}

export function Composer({ onSend, onTyping, error, notice = null }: ComposerProps) {
  const [draft, setDraft] = useState('');
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const inputId = useId();
  const counterId = useId();
  const errorId = useId();
  const noticeId = useId();

  const text = draft.trim();
  const length = codePointLength(text);
  const tooLong = length > MAX_MESSAGE_LENGTH;
  const canSend = text !== '' && !tooLong;
  const showCounter = length >= MAX_MESSAGE_LENGTH - COUNTER_MARGIN;

  const send = () => {
    if (!canSend) return;
    onSend(text);
    setDraft('');
    textareaRef.current?.focus();
  };

  const handleSubmit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };

  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition does neither.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const describedBy = [showCounter && counterId, notice && noticeId, error && errorId].filter(Boolean).join(' ');

  return (
    <form className="composer" onSubmit={handleSubmit}>
      {notice && (
        <p id={noticeId} className="composer-notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p id={errorId} className="composer-error" role="alert">
          {error}
        </p>
      )}
      <div className="composer-row">
        <label htmlFor={inputId} className="visually-hidden">
          Message
        </label>
        <textarea
          id={inputId}
          ref={textareaRef}
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value);
            if (event.target.value.trim() !== '') onTyping?.();
          }}
          onKeyDown={handleKeyDown}
          rows={1}
          placeholder="Write a message"
          aria-invalid={tooLong}
          aria-describedby={describedBy || undefined}
        />
        <button type="submit" className="primary" disabled={!canSend}>
          Send
        </button>
      </div>
      {showCounter && (
        <p id={counterId} className={tooLong ? 'counter counter-over' : 'counter'}>
          {length.toLocaleString('en')} / {MAX_MESSAGE_LENGTH.toLocaleString('en')}
          {tooLong && ` — ${(length - MAX_MESSAGE_LENGTH).toLocaleString('en')} too many`}
        </p>
      )}
    </form>
  );
}
