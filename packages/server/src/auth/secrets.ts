import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane). */
const argonOptions = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, argonOptions);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/**
 * A hash computed for unknown accounts, so a login for a missing e-mail costs the same time as a
 * wrong password and does not reveal which addresses exist.
 */
let decoy: Promise<string> | undefined;
export async function burnPasswordTime(password: string): Promise<void> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await decoy, password);
}

/** Session tokens (`hls_`) and API keys (`hlk_`): 256 random bits, stored only as SHA-256. */
export function newSecret(kind: 'hls' | 'hlk'): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

export const sha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
