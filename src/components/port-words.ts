// "port 1" / "ports 1 and 2": the subject of a sentence about the snabbnfv ports, and its verb.

export function portsText(ports: readonly number[]): string {
  return ports.length === 1 ? `port ${ports[0]}` : `ports ${ports.slice(0, -1).join(', ')} and ${ports.at(-1)}`;
}

/** "is" or "are", to agree with portsText. */
export function isAre(ports: readonly number[]): string {
  return ports.length === 1 ? 'is' : 'are';
}
