// A REFER from an agent's phone in the call the bridge offered it (through Kamailio, or any call manager that
// passes REFER on): a blind transfer; one with Replaces is an attended transfer (attended-transfer.ts). The bridge
// takes it on itself — 202, NOTIFY "100 Trying", NOTIFY "200 OK" once the caller has been moved — and hangs up the
// agent's leg after the last NOTIFY was answered (or 2 s). A transfer it cannot do is refused with a status the phone
// shows, and the conversation goes on.
import type { Logger } from "../../log.js";
import type { IncomingRefer } from "../../sip/index.js";
import { Errors, isCtiError } from "../../errors.js";
import type { AgentTransfers } from "./agent-transfers.js";

/** The agent's leg is hung up this long after the final NOTIFY at the latest, answered or not. */
const NOTIFY_ANSWER_WAIT_MS = 2000;

/** `callId`: the caller's call; `agentCallId`: the agent leg the REFER came in. Never throws. */
export async function handleAgentRefer(transfers: AgentTransfers, callId: string, agentCallId: string, refer: IncomingRefer, logger: Logger): Promise<void> {
  const log = logger.child({ callId, referTo: refer.referTo });
  if (refer.replaces !== undefined) {
    // Attended transfer: the target answered a consultation call; the bridge's INVITE with Replaces takes its place.
    await transfers.attended.complete(callId, agentCallId, refer);
    return;
  }
  if (refer.target === "") {
    await refer.reject(400, "Refer-To Without A Number");
    return;
  }
  let notified!: () => void;
  const lastNotifyAnswered = new Promise<void>((resolve) => {
    notified = resolve;
    setTimeout(resolve, NOTIFY_ANSWER_WAIT_MS).unref();
  });
  try {
    await transfers.transfer(callId, refer.target, "refer", { agentCallId, hangUpAgentLegAfter: lastNotifyAnswered });
  } catch (e) {
    notified();
    const [status, reason] = refusal(e);
    log.info({ status, err: (e as Error).message }, "REFER refused");
    await refer.reject(status, reason);
    return;
  }
  await refer.accept();
  await refer.notifyFinal(200, "OK");
  notified();
}

function refusal(e: unknown): [number, string] {
  if (isCtiError(e, Errors.TRANSFER_TARGET_BUSY)) return [486, "Busy Here"];
  if (isCtiError(e, Errors.BAD_REQUEST)) return [400, "Bad Transfer Target"];
  if (isCtiError(e, Errors.CALL_NOT_FOUND) || isCtiError(e, Errors.CALL_NOT_IN_CONVERSATION)) return [481, "Call Does Not Exist"];
  if (isCtiError(e)) return [603, "Declined"];
  return [500, "Server Internal Error"];
}
