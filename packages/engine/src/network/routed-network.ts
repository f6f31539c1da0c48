/**
 * Both networks at once (issue 8, "Configuration"): a destination with a simulator script stays
 * simulated, the others go to the SIP trunks, so a user keeps simulated test numbers beside real
 * ones. Inbound calls arrive from either and reach the one handler.
 */
import { normalizeNumber } from '../util/phone.ts';
import type { InboundHandler, Network, NetworkLeg, OriginateRequest } from './network.ts';

export interface RoutedNetworkOptions {
  readonly simulated: Network;
  readonly sip: Network & { routes(to: string): boolean };
  /** True when the destination (normal form) has a simulator script. */
  readonly isSimulated: (number: string) => boolean;
}

export class RoutedNetwork implements Network {
  constructor(private readonly opts: RoutedNetworkOptions) {}

  originate(req: OriginateRequest): NetworkLeg {
    const { simulated, sip, isSimulated } = this.opts;
    const simulatedHere = !req.to.startsWith('sip:') && isSimulated(normalizeNumber(req.to));
    return !simulatedHere && sip.routes(req.to) ? sip.originate(req) : simulated.originate(req);
  }

  onInbound(handler: InboundHandler): void {
    this.opts.simulated.onInbound(handler);
    this.opts.sip.onInbound(handler);
  }

  async close(): Promise<void> {
    await Promise.all([this.opts.simulated.close(), this.opts.sip.close()]);
  }
}
