import type { ConnectionStatus } from '../chat/chatClient';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
};

export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  return (
    <span className={`badge badge-${status}`} role="status">
      {LABELS[status]}
    </span>
  );
}
