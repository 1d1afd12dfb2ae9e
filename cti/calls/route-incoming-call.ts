// Where a call the call manager sends to the bridge goes: its dialed number (the BVD) leads to an IVR script or,
// through a service access, to a service group's queue. Unknown numbers get 404.
import type { IncomingCall } from "../sip/index.js";
import type { BvdTable } from "../routing/bvd-table.js";
import type { CallDistributor } from "./call-distributor.js";
import { handleIvrCall, type IvrCallDependencies } from "./ivr-call.js";
import type { RecorderAdmission } from "../recording/recording-registry.js";
import type { TransferHairpins } from "./agent-transfer/hairpin-transfer.js";

export interface CallRoutes {
  bvds: BvdTable;
  ivr: IvrCallDependencies;
  distributor: CallDistributor;
  /** Recorders INVITE recording URIs (`rec-…` users), never BVDs. */
  recording?: RecorderAdmission;
  /** Asterisk's marked hairpin INVITEs after an agent's blind transfer (cti/calls/agent-transfer/). */
  transferHairpins?: TransferHairpins;
}

/** Handles the call to its end. Never throws. */
export async function routeIncomingCall(call: IncomingCall, routes: CallRoutes): Promise<void> {
  if (routes.recording?.isRecordingTarget(call.dialedNumber)) return routes.recording.join(call);
  const hairpin = routes.transferHairpins?.handle(call);
  if (hairpin) return hairpin;
  const bvd = routes.bvds.lookup(call.dialedNumber);
  if (!bvd) {
    routes.ivr.logger.info({ callId: call.callId, dialed: call.dialedNumber }, "call to a number that is not a configured BVD");
    await call.reject(404, "Not Found").catch(() => undefined);
    return;
  }
  if (bvd.serviceAccess !== undefined) return routes.distributor.handle(call, bvd.serviceAccess);
  return handleIvrCall(call, bvd.script, routes.ivr);
}
