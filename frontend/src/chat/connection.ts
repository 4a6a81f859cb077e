// The page's connection to its room, as a small state machine: which phase it is in, and what
// each event moves it to. The chat client (chatClient.ts) holds the socket and the timers; this
// says where they stand, so that reconnecting, gap filling and the room's changes stay easy to
// follow. Modelled on ably/ably-chat-js's room status: explicit phases, transitions in one table.

/**
 * - `stopped`: no socket, and none will be opened (not started, stopped, refused, signed out).
 * - `connecting`: opening a socket, or waiting to, before the room was ever entered.
 * - `entering`: the socket is open and `on-enter-room` sent for the latest messages.
 * - `fillingGap`: the socket is open and `on-enter-room` sent with `afterSeq`, for what was missed.
 * - `inRoom`: the `room` frame came; messages are sent and received.
 * - `reconnecting`: the connection was lost after the room was entered once; opening a new one, or waiting to.
 */
export type Phase = 'stopped' | 'connecting' | 'entering' | 'fillingGap' | 'inRoom' | 'reconnecting';

export type ConnectionEvent =
  /** `start()`. */
  | 'start'
  /** The socket opened and the page entered with `afterSeq`: it had seen the room before. */
  | 'openedCatchingUp'
  /** The socket opened and the page entered for the latest messages. */
  | 'openedAfresh'
  /** The `room` frame of an entry came. */
  | 'entered'
  /** Too much was missed, or the room's seqs are not the page's: entering again for the latest messages. */
  | 'enteringAfresh'
  /** The server no longer has this connection in the room (`not_in_room`): entering again with `afterSeq`. */
  | 'leftRoom'
  /** The socket closed, went silent, or is being replaced. */
  | 'lost'
  | 'stop';

export interface ConnectionState {
  phase: Phase;
  /** The room was entered at least once: a lost connection is reconnecting, not connecting. */
  wasOnline: boolean;
}

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting';

export const NOT_STARTED: ConnectionState = { phase: 'stopped', wasOnline: false };

/** Each phase's events and where they lead; an event a phase does not list changes nothing. */
const TRANSITIONS: Record<Phase, Partial<Record<ConnectionEvent, Phase>>> = {
  stopped: { start: 'connecting' },
  connecting: { openedAfresh: 'entering', openedCatchingUp: 'fillingGap', lost: 'connecting', stop: 'stopped' },
  reconnecting: { openedAfresh: 'entering', openedCatchingUp: 'fillingGap', lost: 'reconnecting', stop: 'stopped' },
  entering: { entered: 'inRoom', lost: 'reconnecting', stop: 'stopped' },
  fillingGap: { entered: 'inRoom', enteringAfresh: 'entering', lost: 'reconnecting', stop: 'stopped' },
  inRoom: { leftRoom: 'fillingGap', enteringAfresh: 'entering', lost: 'reconnecting', stop: 'stopped' },
};

/** The state after `event` (the same object when the event changes nothing in this phase). */
export function transition(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  const target = TRANSITIONS[state.phase][event];
  if (target === undefined) return state;
  const wasOnline = state.wasOnline || target === 'inRoom';
  // Without a room: connecting until it was entered once, reconnecting after.
  const withoutRoom = target === 'connecting' || target === 'reconnecting';
  const phase = withoutRoom ? (wasOnline ? 'reconnecting' : 'connecting') : target;
  if (phase === state.phase && wasOnline === state.wasOnline) return state;
  return { phase, wasOnline };
}

/** What the page's badge says. */
export function connectionStatus(state: ConnectionState): ConnectionStatus {
  if (state.phase === 'inRoom') return 'online';
  return state.wasOnline ? 'reconnecting' : 'connecting';
}
