/**
 * Session descriptions as real peers send them (addresses moved to documentation ranges). Line ends are
 * written as LF here and converted to CRLF by `crlf`, except where a test wants LF on purpose.
 */
export const crlf = (s: string): string => `${s.trim().split('\n').join('\r\n')}\r\n`;

/** Chromium (M120-ish) WebRTC offer: DTLS-SRTP, ICE, BUNDLE, opus first, telephone-event at 126 and 110. */
export const CHROMIUM_OFFER = crlf(`
v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=extmap-allow-mixed
a=msid-semantic: WMS 6e3a9c0e-7a3f-4b6c-9f4b-0a1b2c3d4e5f
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:1467250027 1 udp 2122260223 192.0.2.33 46243 typ host generation 0 network-id 1
a=ice-ufrag:4ZcD
a=ice-pwd:2/1muCWoOi3uLifh0NuRHlf9
a=ice-options:trickle
a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=sendrecv
a=msid:6e3a9c0e-7a3f-4b6c-9f4b-0a1b2c3d4e5f 2f6a5b1c-0d9e-4f8a-b7c6-d5e4f3a2b1c0
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:3735928559 cname:aB3dE5fG7hI9jK1l
m=video 9 UDP/TLS/RTP/SAVPF 96 97
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=mid:1
a=sendrecv
a=rtcp-mux
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
`);

/** Asterisk (chan_pjsip) offer: A-law first, GSM, telephone-event 0-16, maxptime. */
export const ASTERISK_OFFER = crlf(`
v=0
o=- 1700000000 1700000000 IN IP4 192.0.2.20
s=Asterisk
c=IN IP4 192.0.2.20
t=0 0
m=audio 14000 RTP/AVP 8 0 3 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:3 GSM/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=maxptime:150
a=sendrecv
`);

/** SIPp's built-in uac scenario body (after keyword substitution). */
export const SIPP_OFFER = crlf(`
v=0
o=user1 53655765 2353687637 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 6000 RTP/AVP 0
a=rtpmap:0 PCMU/8000
`);

/** baresip 3.x offer: opus, G.722, G.711, telephone-event 0-15, RTCP on its own port. */
export const BARESIP_OFFER = crlf(`
v=0
o=- 1585471318 4106296232 IN IP4 198.51.100.10
s=-
c=IN IP4 198.51.100.10
t=0 0
m=audio 10102 RTP/AVP 96 9 0 8 101
b=AS:82
a=rtpmap:96 opus/48000/2
a=fmtp:96 stereo=1;sprop-stereo=1
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=rtcp:10103
a=sendrecv
a=label:1
a=rtcp-rsize
a=ssrc:1454127374 cname:a7dd8fab-1e84-2e53-3f5f-0fa4f5a4b6c7
a=ptime:20
`);

/** A carrier SBC: G.729 first, A-law, telephone-event at 96; statics without rtpmap. */
export const CARRIER_OFFER = crlf(`
v=0
o=SBC 27402 18358 IN IP4 203.0.113.5
s=SIP Media Capabilities
c=IN IP4 203.0.113.7
t=0 0
m=audio 21234 RTP/AVP 18 8 96
a=fmtp:18 annexb=no
a=rtpmap:96 telephone-event/8000
a=fmtp:96 0-15
a=sendrecv
a=maxptime:20
`);

/** Another carrier: G.729 only, telephone-event at 126 — nothing in common with us. */
export const G729_ONLY_OFFER = crlf(`
v=0
o=- 3920000000 3920000001 IN IP4 203.0.113.9
s=-
c=IN IP4 203.0.113.9
t=0 0
m=audio 30000 RTP/AVP 18 126
a=rtpmap:18 G729/8000
a=rtpmap:126 telephone-event/8000
a=fmtp:126 0-15
`);

/** A T.38 re-INVITE (fax): image/udptl only. */
export const T38_OFFER = crlf(`
v=0
o=- 1700000000 1700000001 IN IP4 192.0.2.20
s=-
c=IN IP4 192.0.2.20
t=0 0
m=image 14002 udptl t38
a=T38FaxVersion:0
a=T38MaxBitRate:14400
a=T38FaxRateManagement:transferredTCF
`);

/** RFC 2543-style hold from an old PBX: c=0.0.0.0, no direction attribute. */
export const OLD_HOLD_OFFER = crlf(`
v=0
o=- 1700000000 1700000002 IN IP4 192.0.2.20
s=-
c=IN IP4 0.0.0.0
t=0 0
m=audio 14000 RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
`);
