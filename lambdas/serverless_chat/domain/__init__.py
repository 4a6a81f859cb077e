"""The chat itself: rooms, members, messages and the protocol. Knows nothing about AWS."""
