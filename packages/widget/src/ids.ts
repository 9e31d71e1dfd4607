/**
 * A message's idempotency key: 128 random bits as 22 base64url characters (fits `clientIdSchema`).
 * Uses `crypto.getRandomValues`, which, unlike `crypto.randomUUID`, also exists on plain-http pages.
 */
export function newClientId(
  fill: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
): string {
  const bytes = fill(new Uint8Array(16));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
