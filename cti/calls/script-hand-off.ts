// How a script running on a BVD's call hands it on (ivr/call-hand-off.ts): `queue` gives it to the call distributor,
// `divert` calls a number (with the caller's identity; the legs are joined when it answers) or goes on to another
// BVD (its service access's queue, or its script on the same media). `deflect` needs an agent reserved for the
// caller, which only customer authentication has (cti/calls/customer-authentication/): here it fails.
// Each hand-off resolves "ok" only when the call is over, so the script's run — and the endpoint it owns — last as
// long as the call; "failure" leaves the caller in the script at the block's failure branch.
//
//   divert number ──INVITE──► ringing ──200──► joined in a media room ──BYE (either side)──► ok
//                                 └── busy / no answer within ringTime / failed ──► failure (caller still here)
import type { Logger } from "../log.js";
import type { IncomingCall, SipStack } from "../sip/index.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import type { CallHandOff, DivertRequest, HandOffResult, QueueRequest } from "../../ivr/call-hand-off.js";
import type { BvdTable } from "../routing/bvd-table.js";
import type { CallDistributor } from "./call-distributor.js";
import { runIvrScript, type IvrCallDependencies } from "./ivr-call.js";
import { connectCaller } from "./caller-connection.js";

export interface ScriptHandOffDependencies {
  bvds: BvdTable;
  distributor: Pick<CallDistributor, "adoptCall" | "serviceAccess">;
  sip: SipStack;
  /** Call manager for numbers when the caller's is not known. */
  defaultCallManagerId: string;
  logger: Logger;
}

/** The hand-off of one BVD call whose script runs on `endpoint`; `ivr` runs a BVD's script when diverted to it. */
export function scriptHandOff(call: IncomingCall, endpoint: MediaEndpoint, ivr: IvrCallDependencies, deps: ScriptHandOffDependencies): CallHandOff {
  const log = deps.logger.child({ callId: call.callId, component: "script-hand-off" });
  const self: CallHandOff = {
    async deflect() {
      log.warn("deflect: no agent is reserved for this caller (only customer authentication returns callers); failure branch");
      return "failure";
    },
    async queue(request: QueueRequest): Promise<HandOffResult> {
      const taken = await deps.distributor.adoptCall(call, endpoint, request.serviceGroup, { id: "ivr", serviceGroup: request.serviceGroup, priority: request.priority });
      if (!taken) log.warn({ serviceGroup: request.serviceGroup }, "queue: no such service group; failure branch");
      return taken ? "ok" : "failure";
    },
    async divert(request: DivertRequest): Promise<HandOffResult> {
      if (request.number !== undefined) return connectNumber(call, endpoint, request.number, request.ringTimeMs, ivr, deps, log);
      const bvd = deps.bvds.lookup(request.bvd ?? "");
      if (!bvd) {
        log.warn({ bvd: request.bvd }, "divert: no such BVD; failure branch");
        return "failure";
      }
      if (bvd.serviceAccess !== undefined) {
        const access = deps.distributor.serviceAccess(bvd.serviceAccess);
        return access && (await deps.distributor.adoptCall(call, endpoint, access.serviceGroup, access)) ? "ok" : "failure";
      }
      const script = ivr.scripts.get(bvd.script);
      if (!script) return "failure";
      await runIvrScript(call, endpoint, script, ivr, { DNIS: bvd.number }, { handOff: self, profile: request.profile });
      return "ok";
    },
  };
  return self;
}

/** The bridge calls the number with the caller's identity and joins the legs when it answers (caller-connection.ts). */
async function connectNumber(call: IncomingCall, endpoint: MediaEndpoint, number: string, ringTimeMs: number, ivr: IvrCallDependencies, deps: ScriptHandOffDependencies, log: Logger): Promise<HandOffResult> {
  const connection = connectCaller({
    caller: call,
    endpoint,
    sip: deps.sip,
    media: ivr.media,
    callManagerId: call.callManagerId ?? deps.defaultCallManagerId,
    number,
    from: call.callerName !== undefined ? { number: call.callerNumber, name: call.callerName } : { number: call.callerNumber },
    ringLimitMs: ringTimeMs,
    logger: log,
  });
  if (!(await connection.answered)) {
    log.info({ number }, "divert: the number did not answer; failure branch");
    return "failure";
  }
  await connection.ended;
  return "ok";
}
