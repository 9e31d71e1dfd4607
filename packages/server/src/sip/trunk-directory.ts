import { BlockList, isIP } from 'node:net';
import type { DigestAlgorithm } from '@hotline/sip/digest';

/** A trunk as the SIP side needs it, across all tenants (secrets included: this never leaves the process). */
export interface DirectoryTrunk {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly allowedCidrs: readonly string[];
  readonly inboundUsername: string | null;
  /** HA1 per base hash, for the installation's realm. */
  readonly inboundHa1: { readonly md5: string; readonly sha256: string } | null;
  readonly proxy: string | null;
  readonly transport: 'auto' | 'udp' | 'tcp' | 'tls';
  readonly outboundUsername: string | null;
  readonly outboundPassword: string | null;
  readonly register: boolean;
  readonly registerExpiresSec: number;
  readonly keepAliveSec: number;
}

export interface DirectoryNumber {
  /** E.164 with `+`. */
  readonly number: string;
  readonly tenantId: string;
  readonly trunkId: string;
}

/** `::ffff:192.0.2.1` (a dual-stack socket's view of an IPv4 peer) → `192.0.2.1`. */
export function plainAddress(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** A CIDR block or single address as a `BlockList`; null when malformed. */
export function cidrList(cidrs: readonly string[]): { list: BlockList; bad: string[] } {
  const list = new BlockList();
  const bad: string[] = [];
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      bad.push(cidr);
      continue;
    }
    list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return { list, bad };
}

const familyOf = (ip: string): 'ipv4' | 'ipv6' | null => {
  const f = isIP(ip);
  return f === 4 ? 'ipv4' : f === 6 ? 'ipv6' : null;
};

/**
 * Every enabled trunk and number of the installation, indexed for the inbound path: which sources are
 * let in without digest, the HA1 of a digest user, which trunks accept a request, and which tenant owns
 * a number. Immutable; the SIP service builds a new one after each configuration change.
 */
export class TrunkDirectory {
  readonly trunks: readonly DirectoryTrunk[];
  /** Trunks taking allow-listed sources without digest, with their blocks. */
  readonly #byAllowList: { trunk: DirectoryTrunk; list: BlockList }[] = [];
  readonly #byUsername = new Map<string, { trunk: DirectoryTrunk; list: BlockList | null }>();
  readonly #numbers = new Map<string, DirectoryNumber>();
  /** Malformed allow-list entries (skipped), for the log. */
  readonly badCidrs: { trunkId: string; cidr: string }[] = [];

  constructor(trunks: readonly DirectoryTrunk[], numbers: readonly DirectoryNumber[]) {
    this.trunks = trunks;
    const enabled = new Map<string, DirectoryTrunk>();
    for (const trunk of trunks) {
      if (!trunk.enabled) continue;
      enabled.set(trunk.id, trunk);
      const { list, bad } = cidrList(trunk.allowedCidrs);
      for (const cidr of bad) this.badCidrs.push({ trunkId: trunk.id, cidr });
      if (trunk.inboundUsername !== null && trunk.inboundHa1 !== null) {
        this.#byUsername.set(trunk.inboundUsername, {
          trunk,
          list: trunk.allowedCidrs.length > 0 ? list : null,
        });
      } else if (trunk.allowedCidrs.length > 0) {
        this.#byAllowList.push({ trunk, list });
      }
    }
    for (const n of numbers) if (enabled.has(n.trunkId)) this.#numbers.set(n.number, n);
  }

  /** Some trunk takes inbound calls by digest. */
  get hasDigestTrunks(): boolean {
    return this.#byUsername.size > 0;
  }

  /**
   * Whether a request from `ip` skips digest: it comes from an allow-listed source, or no trunk uses
   * digest at all (then a challenge would only invite guessing; the policy refuses unknown sources).
   */
  skipsDigest(ip: string): boolean {
    return !this.hasDigestTrunks || this.#allowListed(plainAddress(ip)).length > 0;
  }

  /** HA1 of an enabled trunk's inbound user, or null (unknown users get the uniform stand-in). */
  ha1(username: string, algorithm: DigestAlgorithm): string | null {
    const ha1 = this.#byUsername.get(username)?.trunk.inboundHa1;
    if (!ha1) return null;
    if (algorithm === 'MD5' || algorithm === 'MD5-sess') return ha1.md5;
    if (algorithm === 'SHA-256' || algorithm === 'SHA-256-sess') return ha1.sha256;
    return null;
  }

  /**
   * The trunks that accept a request from `ip`: the digest user's trunk (when its allow-list, if any,
   * holds the source too), else the allow-list trunks holding the source.
   */
  acceptingTrunks(ip: string, authenticatedUser: string | null): DirectoryTrunk[] {
    const source = plainAddress(ip);
    if (authenticatedUser !== null) {
      const entry = this.#byUsername.get(authenticatedUser);
      if (!entry) return [];
      const family = familyOf(source);
      if (entry.list !== null && (family === null || !entry.list.check(source, family))) return [];
      return [entry.trunk];
    }
    return this.#allowListed(source);
  }

  number(e164: string): DirectoryNumber | null {
    return this.#numbers.get(e164) ?? null;
  }

  #allowListed(source: string): DirectoryTrunk[] {
    const family = familyOf(source);
    if (family === null) return [];
    return this.#byAllowList.filter((e) => e.list.check(source, family)).map((e) => e.trunk);
  }
}
