// Asterisk's hairpin: an agent's blind transfer to a BVD never reaches the bridge as a REFER. Asterisk keeps the
// bridge's leg to the agent up and dials the BVD again; the generated dialplan marks that new INVITE with the
// original leg's Call-ID (X-CTI-Transfer-Call-ID, notes/asterisk-interop.md §1). The bridge recognises its own agent
// leg, moves the caller itself, and rejects the hairpin INVITE with 603: Asterisk then BYEs the old leg (~1 ms,
// measured), which the bridge has already let go of.
import type { Logger } from "../../log.js";
import type { IncomingCall } from "../../sip/index.js";
import { TRANSFER_MARK_HEADERS } from "../../sip/cti-headers.js";
import type { CallDistributor } from "../call-distributor.js";
import type { AgentTransfers } from "./agent-transfers.js";

export class TransferHairpins {
  readonly #transfers: AgentTransfers;
  readonly #distributor: CallDistributor;
  readonly #log: Logger;

  constructor(options: { transfers: AgentTransfers; distributor: CallDistributor; logger: Logger }) {
    this.#transfers = options.transfers;
    this.#distributor = options.distributor;
    this.#log = options.logger.child({ component: "transfer" });
  }

  /**
   * Handles the call if it is the hairpin of one of the bridge's agent legs (resolves when done); undefined
   * otherwise, and the call is routed as usual (a mark naming a leg that has ended, or a call that is not ours).
   */
  handle(call: IncomingCall): Promise<void> | undefined {
    const agentCallId = call.header(TRANSFER_MARK_HEADERS.callId)?.trim();
    if (!agentCallId) return undefined;
    const sgc = this.#distributor.callByAgentLeg(agentCallId);
    if (!sgc) {
      this.#log.info({ agentCallId, dialed: call.dialedNumber }, "transfer mark names no agent leg of the bridge; routed as a new call");
      return undefined;
    }
    return this.#move(call, sgc.callId);
  }

  async #move(call: IncomingCall, callId: string): Promise<void> {
    const log = this.#log.child({ callId, hairpinCallId: call.callId, to: call.dialedNumber });
    // The caller is let go of by the agent's leg before the 603 makes Asterisk BYE that leg.
    try {
      await this.#transfers.transfer(callId, call.dialedNumber, "hairpin");
    } catch (e) {
      log.warn({ err: (e as Error).message }, "transfer from the hairpin failed; the caller goes back to its queue");
      this.#transfers.backToQueue(callId, call.dialedNumber, "hairpin");
    }
    await call.reject(603, "Decline").catch((e: unknown) => log.warn({ err: (e as Error).message }, "cannot reject the hairpin INVITE"));
  }
}
