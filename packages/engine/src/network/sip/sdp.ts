/**
 * Session descriptions (RFC 4566) as a signalling-only B2BUA needs them: an offer or answer of our
 * own pointing at the discard RTP port, and re-stamped origins so that each peer sees one session
 * from us whose version grows with every change (RFC 3264 §5, §8), whatever peer's SDP we relay.
 */

export interface Origin {
  /** Session id of the `o=` line, fixed for the life of one leg. */
  readonly sessionId: string;
  /** Incremented every time a new description goes to the peer. */
  version: number;
}

export function newOrigin(): Origin {
  return { sessionId: String(Math.floor(Math.random() * 1e9) + 1), version: 1 };
}

function ipType(host: string): 'IP4' | 'IP6' {
  return host.includes(':') ? 'IP6' : 'IP4';
}

/** PCMU, PCMA and telephone-event (RFC 4733): what every trunk accepts. */
export function ownOffer(host: string, rtpPort: number, origin: Origin): string {
  return [
    'v=0',
    `o=switchboard ${origin.sessionId} ${origin.version} IN ${ipType(host)} ${host}`,
    's=switchboard',
    `c=IN ${ipType(host)} ${host}`,
    't=0 0',
    `m=audio ${rtpPort} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/**
 * Our answer to a peer's offer (RFC 3264 §6): one answer line per offered m= line; the first audio
 * stream is accepted with the offer's first codec (and telephone-event when offered), every other
 * stream is refused with port 0.
 */
export function ownAnswer(offer: string, host: string, rtpPort: number, origin: Origin): string {
  const lines = offer.split(/\r?\n/);
  const media: string[] = [];
  let audioTaken = false;
  let rtpmaps: string[] = [];
  const flush = (current: string | undefined) => {
    if (!current) return;
    const m = /^m=(\S+)\s+\d+(?:\/\d+)?\s+(\S+)\s*(.*)$/.exec(current);
    if (!m) return;
    const [, kind, proto, fmts] = m;
    const formats = (fmts ?? '').split(/\s+/).filter(Boolean);
    if (kind === 'audio' && !audioTaken && formats.length > 0) {
      audioTaken = true;
      const dtmf = rtpmaps.find((l) => /telephone-event/i.test(l));
      const dtmfPt = dtmf ? /^a=rtpmap:(\d+)/.exec(dtmf)?.[1] : undefined;
      const first = formats.find((f) => f !== dtmfPt) ?? formats[0]!;
      const chosen = dtmfPt && dtmfPt !== first ? [first, dtmfPt] : [first];
      media.push(`m=audio ${rtpPort} ${proto} ${chosen.join(' ')}`);
      for (const pt of chosen) {
        const map = rtpmaps.find((l) => l.startsWith(`a=rtpmap:${pt} `));
        if (map) media.push(map);
      }
      media.push('a=sendrecv');
    } else {
      media.push(`m=${kind} 0 ${proto} ${formats[0] ?? '0'}`);
    }
  };
  let current: string | undefined;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      flush(current);
      current = line;
      rtpmaps = [];
    } else if (current && line.startsWith('a=rtpmap:')) rtpmaps.push(line.trim());
  }
  flush(current);
  if (media.length === 0) return ownOffer(host, rtpPort, origin);
  return [`v=0`, `o=switchboard ${origin.sessionId} ${origin.version} IN ${ipType(host)} ${host}`, 's=switchboard', `c=IN ${ipType(host)} ${host}`, 't=0 0', ...media, ''].join('\r\n');
}

/** The peer's description with our origin line (so the receiving peer sees one session from us). */
export function restamp(sdp: string, host: string, origin: Origin): string {
  const o = `o=switchboard ${origin.sessionId} ${origin.version} IN ${ipType(host)} ${host}`;
  let replaced = false;
  const out = sdp
    .split(/\r?\n/)
    .map((l) => {
      if (l.startsWith('o=') && !replaced) {
        replaced = true;
        return o;
      }
      return l;
    })
    .join('\r\n');
  return out.endsWith('\r\n') ? out : out + '\r\n';
}

/** The description without its origin line: two SDPs describe the same media when these match. */
export function mediaOf(sdp: string | undefined): string {
  if (!sdp) return '';
  return sdp
    .split(/\r?\n/)
    .filter((l) => l && !l.startsWith('o='))
    .join('\n');
}

export function isSdp(contentType: string | undefined, body: string): boolean {
  return body.length > 0 && (!contentType || /application\/sdp/i.test(contentType));
}

const DIRECTIONS = ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const;
type Direction = (typeof DIRECTIONS)[number];
/** RFC 3264 §6.1: what the answerer says to each direction offered. */
const ANSWER_TO: Readonly<Record<Direction, Direction>> = { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' };

/** Each m= section's direction in an SDP (a session-level one applies to sections that name none). */
function directionsOf(sdp: string): Direction[] {
  let session: Direction = 'sendrecv';
  const out: Direction[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) out.push(session);
    const a = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.exec(line)?.[1] as Direction | undefined;
    if (!a) continue;
    if (out.length === 0) session = a;
    else out[out.length - 1] = a;
  }
  return out;
}

/**
 * An answer whose media directions agree with the offer's (RFC 3264 §6.1): a hold (`sendonly`)
 * gets `recvonly`, `inactive` stays `inactive`, a resume gets `sendrecv`. Used where the engine
 * answers a party itself (nobody is bridged to relay the offer to); the rest of the answer is kept.
 */
export function answerDirections(answer: string, offer: string): string {
  const wanted = directionsOf(offer).map((d) => ANSWER_TO[d]);
  let m = -1;
  const lines: string[] = [];
  const flush = () => {
    if (m >= 0 && wanted[m] !== undefined) lines.push(`a=${wanted[m]}`);
  };
  for (const line of answer.split(/\r?\n/)) {
    if (line === '') continue;
    if (line.startsWith('m=')) {
      flush();
      m++;
    }
    // Session-level and per-section direction lines give way to the one the offer calls for.
    if (/^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.test(line) && (m < 0 || wanted[m] !== undefined)) continue;
    lines.push(line);
  }
  flush();
  return lines.join('\r\n') + '\r\n';
}
