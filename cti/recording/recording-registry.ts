// Recording URIs ("MIR Media Integration"): every established conversation gets a SIP URI with an unguessable token
// (call.established carries it); a recorder that INVITEs it from an allowed address joins the conversation's media
// room as a passive participant and is sent BYE when the conversation is over. This registry maps tokens to
// conversations, admits or refuses recorders, and carries out agents' start/stop/pause/resume requests under the
// recording mode's rules.
//
//   recorder INVITE sip:rec-<hex>@bridge ─► address allowed? ── no ──► 403  ┐
//                                               │ yes                       │
//                                           token known? ─────── no ──► 404  ├─► recording.joinFailed (reason)
//                                               │ yes                       │
//                                           recording stopped? ── yes ─► 480 ┘   (also 488 / 503 from the answer)
//                                               │ no
//                                           200 OK a=sendonly, passive in the room (silence while paused)
//
// Recorders must also pass the SIP peer filter: the daemon makes `recording.allowedRecorders` trusted SIP peers, so
// a recorder at any other address is refused (403) by the SIP layer before the request reaches this registry.
import type { Logger } from "../log.js";
import type { EventBus, RecordingStateEvent } from "../events/event-bus.js";
import type { IncomingCall } from "../sip/index.js";
import { normalizeAddress } from "../sip/peer-filter.js";
import type { MediaServer } from "../../ivr/media/media-server.js";
import { CtiError, Errors } from "../errors.js";
import type { RecordingConfig } from "./recording-config.js";
import { recordsFromStart, refusalOf, type RecordingAction, type RecordingMode } from "./recording-mode.js";
import { isRecordingUser, looksLikeRecordingUser, maskRecordingUser, newRecordingUser, recordingUri } from "./recording-token.js";
import { RecordingSession, type RecordedConversation, type RecordingState } from "./recording-session.js";
import { JoinRefused, RecorderCall } from "./recorder-call.js";

export type { RecordedConversation } from "./recording-session.js";

/** What the call distributor (and whoever else connects an agent's conversation) needs: a URI for the room. */
export interface ConversationRecording {
  /** Makes the conversation recordable; returns its recording URI, or undefined when recording is off. */
  register(conversation: RecordedConversation): string | undefined;
}

/** What call routing needs: recorder INVITEs are told apart by their Request-URI user and handled here. */
export interface RecorderAdmission {
  /** Whether a Request-URI user is a recording URI's (`rec-…`). */
  isRecordingTarget(user: string): boolean;
  /** Admits or refuses the recorder's INVITE; resolves when the recorder's call is over. Never throws. */
  join(call: IncomingCall): Promise<void>;
}

/** An agent's conversation's recording, as the Open Interface shows it. */
export interface RecordingView {
  callId: string;
  logonId: string;
  extension: string;
  serviceGroup?: string;
  state: Exclude<RecordingState, "ended">;
  mode: RecordingMode;
  /** Recorders listening now (paused ones included). */
  recorders: number;
  recordingUri: string;
}

/** What the Open Interface needs. */
export interface RecordingControl {
  readonly mode: RecordingMode;
  /** The agent's current conversation's recording; throws RECORDING_NO_CONVERSATION when there is none. */
  view(logonId: string): RecordingView;
  /** Applies the agent's request under the mode's rules; RECORDING_NOT_ALLOWED, RECORDING_STATE, RECORDING_NO_CONVERSATION. */
  control(logonId: string, action: RecordingAction): RecordingView;
}

export interface RecordingRegistryOptions {
  config: RecordingConfig;
  /** The bridge's SIP address and port: the host part of recording URIs. */
  sipAddress: string;
  sipPort: number;
  media: MediaServer;
  bus: EventBus;
  logger: Logger;
}

const STATE_EVENTS = {
  recording: "recording.started",
  stopped: "recording.stopped",
  paused: "recording.paused",
} as const;

export class RecordingRegistry implements ConversationRecording, RecorderAdmission, RecordingControl {
  readonly mode: RecordingMode;
  readonly #o: RecordingRegistryOptions;
  readonly #log: Logger;
  readonly #allowed: ReadonlySet<string>;
  readonly #privileged: "*" | ReadonlySet<string>;
  readonly #byUser = new Map<string, RecordingSession>();
  readonly #byAgent = new Map<string, RecordingSession>();
  #closed = false;

  constructor(options: RecordingRegistryOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: "recording" });
    this.mode = options.config.mode;
    this.#allowed = new Set(options.config.allowedRecorders);
    const agents = options.config.recordCallsAgents;
    this.#privileged = agents === "*" ? "*" : new Set(agents);
  }

  /** Recording is on when at least one recorder address is allowed. */
  get enabled(): boolean {
    return this.#allowed.size > 0;
  }

  /** Conversations that have a recording URI now. */
  get size(): number {
    return this.#byUser.size;
  }

  register(conversation: RecordedConversation): string | undefined {
    if (!this.enabled || this.#closed || conversation.room.closed) return undefined;
    const user = newRecordingUser();
    const uri = recordingUri(user, this.#o.sipAddress, this.#o.sipPort);
    const fromStart = recordsFromStart(this.mode);
    const session = new RecordingSession(conversation, user, uri, fromStart ? "recording" : "stopped", this.#log);
    this.#byUser.set(user, session);
    this.#byAgent.get(conversation.logonId)?.end(); // an agent talks in one conversation at a time
    this.#byAgent.set(conversation.logonId, session);
    session.on("stateChanged", (from, to) => {
      if (to === "ended") this.#forget(session);
      else this.#o.bus.safeEmit(to === "recording" && from === "paused" ? "recording.resumed" : STATE_EVENTS[to], this.#stateEvent(session, "request"));
    });
    this.#log.info({ callId: conversation.callId, logonId: conversation.logonId, recording: maskRecordingUser(user), state: session.state }, "conversation recordable");
    // After call.established, which the caller publishes with the URI once this returns.
    if (fromStart) queueMicrotask(() => session.state === "recording" && this.#o.bus.safeEmit("recording.started", this.#stateEvent(session, "mode")));
    return uri;
  }

  isRecordingTarget(user: string): boolean {
    return looksLikeRecordingUser(user);
  }

  async join(call: IncomingCall): Promise<void> {
    const user = call.dialedNumber;
    const masked = maskRecordingUser(user);
    const recorder = `${call.source.address}:${call.source.port}`;
    const session = isRecordingUser(user) ? this.#byUser.get(user) : undefined;
    const log = this.#log.child({ recording: masked, recorder, recorderCallId: call.callId, ...(session ? { callId: session.conversation.callId } : {}) });
    const refuse = async (refusal: JoinRefused): Promise<void> => {
      log.warn({ sipStatus: refusal.sipStatus, reason: refusal.reason }, "recorder refused");
      this.#o.bus.safeEmit("recording.joinFailed", {
        callId: session?.conversation.callId ?? "",
        recordingUri: recordingUri(masked, this.#o.sipAddress, this.#o.sipPort),
        recorder,
        reason: refusal.reason,
      });
      await call.reject(refusal.sipStatus, refusal.sipReason).catch(() => undefined);
    };
    // The address first: a recorder that may not join learns nothing about tokens.
    if (!this.#allowed.has(normalizeAddress(call.source.address))) return refuse(new JoinRefused(403, "Forbidden", "the recorder's address is not in recording.allowedRecorders"));
    if (!session || this.#closed) return refuse(new JoinRefused(404, "Not Found", "unknown or expired recording URI"));
    if (!session.acceptsRecorders) return refuse(new JoinRefused(480, "Recording Stopped", "recording of the conversation is stopped"));
    let recorderCall: RecorderCall;
    try {
      recorderCall = await RecorderCall.answer(call, this.#o.media, log);
    } catch (e) {
      if (e instanceof JoinRefused) return refuse(e);
      log.error({ err: (e as Error).message }, "answering a recorder failed");
      return refuse(new JoinRefused(500, "Server Internal Error", "the bridge could not answer"));
    }
    const over = new Promise<void>((resolve) => (recorderCall.ended ? resolve() : recorderCall.once("ended", resolve)));
    if (session.admit(recorderCall)) {
      log.info({ state: session.state, codec: recorderCall.endpoint.codec }, "recorder joined the conversation");
      recorderCall.once("ended", () => log.info("recorder left the conversation"));
    } else {
      log.info({ state: session.state }, "the conversation's recording ended while the recorder was answered; BYE");
    }
    await over;
  }

  view(logonId: string): RecordingView {
    return this.#viewOf(this.#sessionOf(logonId));
  }

  control(logonId: string, action: RecordingAction): RecordingView {
    const session = this.#sessionOf(logonId);
    const privileged = this.#privileged === "*" || this.#privileged.has(logonId);
    const refusal = refusalOf(this.mode, action, privileged);
    if (refusal) throw new CtiError(Errors.RECORDING_NOT_ALLOWED, refusal);
    const changed = session.apply(action);
    this.#log.info({ callId: session.conversation.callId, logonId, action, changed, state: session.state }, "recording request");
    return this.#viewOf(session);
  }

  /** Ends every conversation's recording (recorders get BYE) and takes no more. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of [...this.#byUser.values()]) session.end();
  }

  #sessionOf(logonId: string): RecordingSession {
    const session = this.#byAgent.get(logonId);
    if (!session) {
      const why = this.enabled ? "the agent is not in a conversation" : "recording is off (recording.allowedRecorders is empty)";
      throw new CtiError(Errors.RECORDING_NO_CONVERSATION, `${logonId}: ${why}`);
    }
    return session;
  }

  #forget(session: RecordingSession): void {
    if (this.#byUser.get(session.user) === session) this.#byUser.delete(session.user);
    const { logonId } = session.conversation;
    if (this.#byAgent.get(logonId) === session) this.#byAgent.delete(logonId);
    this.#log.debug({ callId: session.conversation.callId, recording: maskRecordingUser(session.user) }, "recording URI expired");
  }

  #stateEvent(session: RecordingSession, cause: RecordingStateEvent["cause"]): RecordingStateEvent {
    const { callId, logonId, extension, serviceGroup } = session.conversation;
    return { callId, logonId, extension, ...(serviceGroup !== undefined ? { serviceGroup } : {}), recordingUri: session.uri, cause };
  }

  #viewOf(session: RecordingSession): RecordingView {
    const { callId, logonId, extension, serviceGroup } = session.conversation;
    const state = session.state;
    if (state === "ended") throw new CtiError(Errors.RECORDING_NO_CONVERSATION, `${logonId}: the conversation is over`);
    return {
      callId,
      logonId,
      extension,
      ...(serviceGroup !== undefined ? { serviceGroup } : {}),
      state,
      mode: this.mode,
      recorders: session.recorderCount,
      recordingUri: session.uri,
    };
  }
}
