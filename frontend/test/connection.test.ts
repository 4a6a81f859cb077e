import { describe, expect, it } from 'vitest';
import {
  type ConnectionEvent,
  type ConnectionState,
  type Phase,
  NOT_STARTED,
  connectionStatus,
  transition,
} from '../src/chat/connection';

const EVENTS: ConnectionEvent[] = [
  'start',
  'openedCatchingUp',
  'openedAfresh',
  'entered',
  'enteringAfresh',
  'leftRoom',
  'lost',
  'stop',
];

function run(...events: ConnectionEvent[]): ConnectionState {
  return events.reduce(transition, NOT_STARTED);
}

// Where each event leads from each phase, the room entered before or not (`-`: nothing changes).
// Read a row as "in this phase, on this event, the connection goes to …".
const EXPECTED: Record<string, Record<ConnectionEvent, Phase | '-'>> = {
  'stopped, never online': {
    start: 'connecting', openedCatchingUp: '-', openedAfresh: '-', entered: '-', enteringAfresh: '-', leftRoom: '-', lost: '-', stop: '-',
  },
  'connecting': {
    start: '-', openedCatchingUp: 'fillingGap', openedAfresh: 'entering', entered: '-', enteringAfresh: '-', leftRoom: '-', lost: '-', stop: 'stopped',
  },
  'entering, never online': {
    start: '-', openedCatchingUp: '-', openedAfresh: '-', entered: 'inRoom', enteringAfresh: '-', leftRoom: '-', lost: 'connecting', stop: 'stopped',
  },
  'inRoom': {
    start: '-', openedCatchingUp: '-', openedAfresh: '-', entered: '-', enteringAfresh: 'entering', leftRoom: 'fillingGap', lost: 'reconnecting', stop: 'stopped',
  },
  'reconnecting': {
    start: '-', openedCatchingUp: 'fillingGap', openedAfresh: 'entering', entered: '-', enteringAfresh: '-', leftRoom: '-', lost: '-', stop: 'stopped',
  },
  'fillingGap, online before': {
    start: '-', openedCatchingUp: '-', openedAfresh: '-', entered: 'inRoom', enteringAfresh: 'entering', leftRoom: '-', lost: 'reconnecting', stop: 'stopped',
  },
  'entering, online before': {
    start: '-', openedCatchingUp: '-', openedAfresh: '-', entered: 'inRoom', enteringAfresh: '-', leftRoom: '-', lost: 'reconnecting', stop: 'stopped',
  },
  'stopped, online before': {
    start: 'reconnecting', openedCatchingUp: '-', openedAfresh: '-', entered: '-', enteringAfresh: '-', leftRoom: '-', lost: '-', stop: '-',
  },
};

const REACHED_BY: Record<string, ConnectionEvent[]> = {
  'stopped, never online': [],
  'connecting': ['start'],
  'entering, never online': ['start', 'openedAfresh'],
  'inRoom': ['start', 'openedAfresh', 'entered'],
  'reconnecting': ['start', 'openedAfresh', 'entered', 'lost'],
  'fillingGap, online before': ['start', 'openedAfresh', 'entered', 'lost', 'openedCatchingUp'],
  'entering, online before': ['start', 'openedAfresh', 'entered', 'lost', 'openedAfresh'],
  'stopped, online before': ['start', 'openedAfresh', 'entered', 'stop'],
};

describe('the connection state machine', () => {
  for (const [name, row] of Object.entries(EXPECTED)) {
    it(`from ${name}, goes where the table says on every event`, () => {
      const path = REACHED_BY[name];
      if (path === undefined) throw new Error(`no way to ${name}`);
      const from = run(...path);
      for (const event of EVENTS) {
        const to = transition(from, event);
        const expected = row[event];
        if (expected === '-') expect(to, event).toBe(from);
        else expect(to.phase, event).toBe(expected);
      }
    });
  }

  it('remembers the room was entered once: a later loss, or a restart, is reconnecting', () => {
    expect(run('start', 'openedAfresh', 'lost')).toEqual({ phase: 'connecting', wasOnline: false });
    expect(run('start', 'openedAfresh', 'entered', 'lost', 'openedAfresh', 'lost')).toEqual({
      phase: 'reconnecting',
      wasOnline: true,
    });
    expect(run('start', 'openedAfresh', 'entered', 'stop', 'start')).toEqual({ phase: 'reconnecting', wasOnline: true });
  });

  it('says online in the room only, and connecting or reconnecting elsewhere', () => {
    expect(connectionStatus(run('start'))).toBe('connecting');
    expect(connectionStatus(run('start', 'openedCatchingUp'))).toBe('connecting');
    expect(connectionStatus(run('start', 'openedAfresh', 'entered'))).toBe('online');
    expect(connectionStatus(run('start', 'openedAfresh', 'entered', 'leftRoom'))).toBe('reconnecting');
    expect(connectionStatus(run('start', 'openedAfresh', 'entered', 'lost', 'openedCatchingUp'))).toBe('reconnecting');
  });
});
