import { isIP } from 'node:net';

/** A unicast address (or 0.0.0.0, RFC 2543 hold): not multicast, not broadcast. Host names pass. */
export function unicastTarget(address: string): boolean {
  const family = isIP(address);
  if (family === 4) {
    const first = Number(address.split('.')[0]);
    return !(first >= 224 || address === '255.255.255.255');
  }
  if (family === 6) return !address.toLowerCase().startsWith('ff');
  return true;
}
