// The same build serves local, dev and prod: the WebSocket URL comes from /config.json next to the page.
export interface ChatConfig {
  websocketUrl: string;
}

export async function loadConfig(): Promise<ChatConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const body: unknown = await response.json();
  const websocketUrl = (body as { websocketUrl?: unknown } | null)?.websocketUrl;
  if (typeof websocketUrl !== 'string' || !/^wss?:\/\//.test(websocketUrl)) {
    throw new Error('/config.json has no websocketUrl starting with ws:// or wss://');
  }
  return { websocketUrl };
}
