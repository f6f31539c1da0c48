/**
 * `<User>` dialling of endpoints (docs/endpoints.md): a leg placed to `sip:user@...` whose user is an
 * endpoint goes where that endpoint is. Registered over SIP: to its newest binding (registrar.ts).
 * Not registered but with a script, or on an engine without SIP: to the simulated network, which
 * plays the endpoint's script (or the default one) as it would a number's. Not registered on an
 * engine with SIP and without a script: nobody to ring, so the leg ends as a proxy with an empty
 * target set answers, 480 Temporarily Unavailable (RFC 3261 §16.5), NO_USER_RESPONSE. Any other
 * destination goes on to the network below, untouched.
 */
import { isIP } from 'node:net';
import type { InboundHandler, Network, NetworkLeg, OriginateRequest } from './network.ts';
import { FailedLeg } from './failed-leg.ts';
import type { Binding } from './sip/registrar.ts';
import { escapeUser, parseUri } from './sip/uri.ts';

export interface EndpointTarget {
  readonly username: string;
  /** Its simulated-network script; null = none of its own. */
  readonly script: string | null;
}

export interface EndpointNetworkOptions {
  /** Where every other destination goes (the simulated network, or both networks routed). */
  readonly base: Network;
  readonly simulated: Network;
  /** The SIP network and the registrar's bindings, when the engine runs SIP. */
  readonly sip?: { readonly network: Network; readonly bindings: (username: string) => readonly Binding[] };
  /** The endpoint a destination names, if any. */
  readonly endpointFor: (to: string) => EndpointTarget | undefined;
}

export class EndpointNetwork implements Network {
  constructor(private readonly opts: EndpointNetworkOptions) {}

  originate(req: OriginateRequest): NetworkLeg {
    const endpoint = this.opts.endpointFor(req.to);
    if (!endpoint) return this.opts.base.originate(req);
    const sip = this.opts.sip;
    const binding = sip?.bindings(endpoint.username)[0];
    if (sip && binding) return sip.network.originate({ ...req, to: contactTarget(binding, endpoint.username) });
    if (!sip || endpoint.script !== null) return this.opts.simulated.originate(req);
    return new FailedLeg(req, 'no-user-response');
  }

  onInbound(handler: InboundHandler): void {
    this.opts.base.onInbound(handler);
  }

  close(): Promise<void> {
    return this.opts.base.close();
  }
}

/**
 * The Request-URI of an INVITE to a binding: its Contact when that names an address; else (a phone
 * behind NAT or naming itself by a host name) the address its REGISTER came from, as a registrar
 * that fixes NATed contacts does.
 */
export function contactTarget(b: Binding, username: string): string {
  const uri = parseUri(b.contact);
  if (uri && isIP(uri.host.replace(/^\[|\]$/g, ''))) return b.contact;
  const host = b.source.address.includes(':') ? `[${b.source.address}]` : b.source.address;
  return `sip:${escapeUser(uri?.user ?? username)}@${host}:${b.source.port}${b.source.transport === 'tcp' ? ';transport=tcp' : ''}`;
}
