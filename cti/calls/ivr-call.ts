// A call to a BVD number answered by the bridge's media server and handed to an IVR script.
//
//   INVITE ──► BVD lookup ──► media port + SDP answer ──► 200 OK ──► script runs ──► BYE (either side) ──► port back
//                │ unknown: 404          │ no codec: 488, no port: 503
import type { Logger } from "../log.js";
import type { IncomingCall } from "../sip/index.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import type { PromptLibrary } from "../../ivr/media/prompt-library.js";
import type { ScriptEngine } from "../../ivr/script-engine.js";
import type { ScriptLibrary } from "../../ivr/script-library.js";
import type { CallFacts, IvrChannel, PlayResult } from "../../ivr/ivr-channel.js";
import type { BvdTable } from "../routing/bvd-table.js";
import { isCtiError, Errors } from "../errors.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";

export interface IvrCallDependencies {
  bvds: BvdTable;
  scripts: ScriptLibrary;
  engine: ScriptEngine;
  media: MediaServer;
  prompts: PromptLibrary;
  language: string;
  /** Settings exposed to every script as ${NAME}. */
  scriptSettings: Readonly<Record<string, string>>;
  logger: Logger;
}

/** Answers a call to a BVD and runs its script to the end. Never throws: failures end the call with a SIP error. */
export async function handleIvrCall(call: IncomingCall, deps: IvrCallDependencies): Promise<void> {
  const log = deps.logger.child({ callId: call.callId, dialed: call.dialedNumber, caller: call.callerNumber });
  const bvd = deps.bvds.lookup(call.dialedNumber);
  const script = bvd ? deps.scripts.get(bvd.script) : undefined;
  if (!bvd || !script) {
    log.info("call to a number that is not a configured BVD");
    await call.reject(404, "Not Found").catch(() => undefined);
    return;
  }
  if (!call.remoteSdp) {
    // Offerless INVITEs are not supported: the bridge always answers an offer.
    await call.reject(488, "Not Acceptable Here").catch(() => undefined);
    return;
  }
  let endpoint: MediaEndpoint;
  try {
    endpoint = await deps.media.open();
  } catch (e) {
    log.warn({ err: (e as Error).message }, "no media port for a call");
    await call.reject(503, "Service Unavailable").catch(() => undefined);
    return;
  }
  try {
    let answer: string;
    try {
      answer = endpoint.answer(call.remoteSdp);
    } catch (e) {
      if (isCtiError(e, Errors.NO_COMMON_CODEC)) {
        await call.reject(488, "Not Acceptable Here").catch(() => undefined);
        return;
      }
      throw e;
    }
    // SIP INFO keys join the RTP ones; a hang-up stops any prompt so the script sees the end at once.
    call.on("dtmf", (digit) => endpoint.injectDtmf(digit));
    call.on("ended", () => endpoint.stopPlayback());
    await call.accept(answer);
    const facts: CallFacts = {
      ...deps.scriptSettings,
      ANI: call.callerNumber,
      DNIS: call.dialedNumber,
      CALL_ID: call.callId,
      CALL_MANAGER: call.callManagerId ?? "",
      SOURCE_ADDRESS: call.source.address,
    };
    const result = await deps.engine.run(script, ivrChannel(call, endpoint, deps), facts);
    log.debug({ script: script.name, outcome: result.outcome, steps: result.steps }, "script finished");
  } catch (e) {
    log.error({ err: (e as Error).message }, "IVR call failed");
    await call.hangup().catch(() => undefined);
  } finally {
    endpoint.close();
  }
}

/** The script engine's view of a SIP call with its media endpoint. */
function ivrChannel(call: IncomingCall, endpoint: MediaEndpoint, deps: IvrCallDependencies): IvrChannel {
  return {
    callId: call.callId,
    get ended() {
      return call.state === "ended";
    },
    play(prompts: string[], options: { interruptOnDtmf: boolean }): Promise<PlayResult> {
      return endpoint.play(prompts.map((p) => deps.prompts.resolve(p, deps.language)), { interruptOnDtmf: options.interruptOnDtmf });
    },
    onDigit(listener) {
      endpoint.on("dtmf", listener);
      return () => endpoint.off("dtmf", listener);
    },
    onEnded(listener) {
      const wrapped = () => listener();
      call.on("ended", wrapped);
      return () => call.off("ended", wrapped);
    },
    hangup: () => call.hangup(),
  };
}
