/**
 * User-Agent substrings (matched case-insensitively) of SIP attack tools that name themselves. Only
 * tools are listed, never products: scanners also spoof real phones and SDKs (eyeBeam, Zoiper, Cisco,
 * "Asterisk PBX", "PortSIP VoIP SDK", CSipSimple, MizuPhone…) that our customers use, so those are not
 * blocked by default — rate limits and authentication bans deal with them. Add site-specific entries
 * with `extraScannerAgents`.
 *
 * Sources: the tools' own code (SIPVicious, SIPPTS, sipcli) and the block lists of SIP honeypots and
 * hardening guides (fail2ban/iptables rules for Asterisk, Kamailio and FreeSWITCH; paulseward/sip-hardening).
 */
export const KNOWN_SCANNER_AGENTS: readonly string[] = [
  'friendly-scanner', // SIPVicious svmap/svwar/svcrack default
  'friendly-request', // SIPVicious variant seen by honeypots
  'sipvicious', // SIPVicious 0.3+ and forks
  'pplsip', // SIPPTS (Pepelux) default User-Agent
  'sipptk', // SIPPTS, older Perl version
  'sipcli', // sipcli (sipcli/v1.8), mass INVITE toll-fraud
  'vaxsipuseragent', // VaxSIPUserAgent, mass REGISTER/INVITE brute force
  'vaxipuseragent',
  'sip-scan',
  'sipscan',
  'sundayddr',
  'iwar', // iWar war dialler
  'sivus', // SiVuS vulnerability scanner
  'smap', // smap SIP scanner
  'siparmyknife', // SIP Army Knife fuzzer
];

/** The matched entry, or `null`. An absent User-Agent is not a scanner by itself. */
export function matchScannerAgent(
  userAgent: string | null | undefined,
  agents: readonly string[] = KNOWN_SCANNER_AGENTS,
): string | null {
  if (userAgent === null || userAgent === undefined || userAgent === '') return null;
  const ua = userAgent.toLowerCase();
  return agents.find((a) => ua.includes(a.toLowerCase())) ?? null;
}
