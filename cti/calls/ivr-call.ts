// A call handed to an IVR script: answered by the bridge's media server (or already answered, when a queue sends
// its caller to a script), then the script runs to its end.
//
//   INVITE ──► answerWithMedia ──► script runs ──► BYE (either side) ──► port back
import type { Logger } from "../log.js";
import type { IncomingCall } from "../sip/index.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import type { PromptLibrary } from "../../ivr/media/prompt-library.js";
import type { ScriptEngine, ScriptOutcome } from "../../ivr/script-engine.js";
import type { CallHandOff } from "../../ivr/call-hand-off.js";
import type { CallProfile } from "../../ivr/blocks/call-profile.js";
import type { Script, ScriptLibrary } from "../../ivr/script-library.js";
import type { CallFacts, IvrChannel, PlayResult } from "../../ivr/ivr-channel.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import { answerWithMedia } from "./answer-call.js";

export interface IvrCallDependencies {
  scripts: ScriptLibrary;
  engine: ScriptEngine;
  media: MediaServer;
  prompts: PromptLibrary;
  language: string;
  /** How scripts on BVD calls hand their call on (cti/calls/script-hand-off.ts); without it they cannot. */
  handOff?: (call: IncomingCall, endpoint: MediaEndpoint) => CallHandOff;
  /** Settings exposed to every script as ${NAME}. */
  scriptSettings: Readonly<Record<string, string>>;
  logger: Logger;
}

/** Answers a call and runs `scriptName` to the end. Never throws: failures end the call with a SIP error. */
export async function handleIvrCall(call: IncomingCall, scriptName: string, deps: IvrCallDependencies): Promise<void> {
  const log = deps.logger.child({ callId: call.callId, dialed: call.dialedNumber, caller: call.callerNumber });
  const script = deps.scripts.get(scriptName);
  if (!script) {
    log.error({ script: scriptName }, "the BVD's script is not loaded");
    await call.reject(404, "Not Found").catch(() => undefined);
    return;
  }
  const endpoint = await answerWithMedia(call, deps.media, log);
  if (!endpoint) return;
  try {
    await runIvrScript(call, endpoint, script, deps, {}, deps.handOff ? { handOff: deps.handOff(call, endpoint) } : {});
  } finally {
    endpoint.close();
  }
}

/** How a script run may hand its call on, and the call's profile when it already has one. */
export interface IvrRunExtras {
  handOff?: CallHandOff;
  profile?: CallProfile;
}

/**
 * Runs a script on an answered call; hangs up if the script fails. The endpoint stays the caller's to close.
 * Resolves to the script's outcome (undefined when it could not run); "handedOff": the call went on, not hung up.
 */
export async function runIvrScript(call: IncomingCall, endpoint: MediaEndpoint, script: Script, deps: IvrCallDependencies, facts: Partial<CallFacts> = {}, extras: IvrRunExtras = {}): Promise<ScriptOutcome | undefined> {
  const log = deps.logger.child({ callId: call.callId, script: script.name });
  try {
    const all: CallFacts = {
      ...deps.scriptSettings,
      ANI: call.callerNumber,
      DNIS: call.dialedNumber,
      CALL_ID: call.callId,
      CALL_MANAGER: call.callManagerId ?? "",
      SOURCE_ADDRESS: call.source.address,
      ...(call.callerName ? { CALLER_NAME: call.callerName } : {}),
      ...facts,
    } as CallFacts;
    const result = await deps.engine.run(script, ivrChannel(call, endpoint, deps, extras.handOff), all, extras.profile ? { profile: extras.profile } : {});
    log.debug({ outcome: result.outcome, steps: result.steps }, "script finished");
    return result.outcome;
  } catch (e) {
    log.error({ err: (e as Error).message }, "IVR call failed");
    await call.hangup().catch(() => undefined);
    return undefined;
  }
}

/** The script engine's view of a SIP call with its media endpoint. */
function ivrChannel(call: IncomingCall, endpoint: MediaEndpoint, deps: IvrCallDependencies, handOff: CallHandOff | undefined): IvrChannel {
  return {
    ...(handOff ? { handOff } : {}),
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
