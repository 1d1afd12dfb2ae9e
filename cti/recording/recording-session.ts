// The recording of one conversation: its recording URI, whether recorders may listen now, and the recorders that
// do. Recorders sit in the conversation's media room as passive participants (they hear the caller and the agent
// mixed); a paused recorder sits in a room of its own with nobody to hear, so it gets silence in the same RTP
// stream (one SSRC, sequence going on) until the recording resumes.
//
//                 start                    pause
//   stopped ────────────────► recording ──────────► paused
//      ▲  ◄──stop (recorders BYE)─┘   ◄────resume────┘ │
//      └───────────────────stop (recorders BYE)────────┘
//   any ──the conversation is over (room closed, or no active participant left)──► ended (recorders BYE)
//
// Joins are accepted while recording or paused; stopped refuses them (until start), ended forgets the token.
import { CtiError, Errors } from "../errors.js";
import { TypedEmitter } from "../events/typed-emitter.js";
import type { Logger } from "../log.js";
import { MediaRoom, type LeaveReason } from "../../ivr/media/media-room.js";
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import type { RecorderCall } from "./recorder-call.js";
import type { RecordingAction } from "./recording-mode.js";

export type RecordingState = "recording" | "paused" | "stopped" | "ended";

/** The conversation a recording URI points at: its media room and whose call it is. */
export interface RecordedConversation {
  room: MediaRoom;
  /** The bridge's id of the call (the caller leg's SIP Call-ID). */
  callId: string;
  logonId: string;
  extension: string;
  /** Absent for a call that is not a service group's (an agent's own call). */
  serviceGroup?: string;
}

export type RecordingSessionEvents = {
  stateChanged: [from: RecordingState, to: RecordingState];
};

type LiveState = "recording" | "paused" | "stopped";
/** Where an action leads from each live state: another state, nowhere (it already is so), or refused with a reason. */
type Move = { to: LiveState } | "unchanged" | { refused: string };
const MOVES: Readonly<Record<RecordingAction, Readonly<Record<LiveState, Move>>>> = {
  start: { stopped: { to: "recording" }, recording: "unchanged", paused: { refused: "recording is paused: resume it" } },
  stop: { recording: { to: "stopped" }, paused: { to: "stopped" }, stopped: "unchanged" },
  pause: { recording: { to: "paused" }, paused: "unchanged", stopped: { refused: "recording is stopped: start it first" } },
  resume: { paused: { to: "recording" }, recording: "unchanged", stopped: { refused: "recording is stopped: start it first" } },
};

export class RecordingSession extends TypedEmitter<RecordingSessionEvents> {
  readonly conversation: RecordedConversation;
  /** The Request-URI user of the recording URI (`rec-<hex>`): the secret. */
  readonly user: string;
  readonly uri: string;
  readonly #logger: Logger;
  readonly #recorders = new Set<RecorderCall>();
  /** Where paused recorders hear silence; made on the first pause. */
  #pausedRoom: MediaRoom | undefined;
  #state: RecordingState;
  readonly #onLeft = (_endpoint: MediaEndpoint, _reason: LeaveReason): void => {
    if (!this.conversation.room.participants.some((p) => p.role === "active")) this.end();
  };
  readonly #onRoomClosed = (): void => this.end();

  constructor(conversation: RecordedConversation, user: string, uri: string, initial: "recording" | "stopped", logger: Logger) {
    super();
    this.conversation = conversation;
    this.user = user;
    this.uri = uri;
    this.#state = initial;
    this.#logger = logger;
    this.onListenerError = (event, error) => logger.error({ err: error, event }, "recording session listener threw");
    const { room } = conversation;
    room.on("left", this.#onLeft);
    room.on("close", this.#onRoomClosed);
    if (room.closed) queueMicrotask(() => this.end());
  }

  get state(): RecordingState {
    return this.#state;
  }

  /** Recorders listening now (paused ones included). */
  get recorderCount(): number {
    return this.#recorders.size;
  }

  /** Whether a recorder may join now (recording or paused). */
  get acceptsRecorders(): boolean {
    return this.#state === "recording" || this.#state === "paused";
  }

  /**
   * Seats an answered recorder: in the conversation's room, or with silence while paused. Returns false (and hangs
   * the recorder up) when the session no longer takes recorders.
   */
  admit(recorder: RecorderCall): boolean {
    if (!this.acceptsRecorders || recorder.ended) {
      void recorder.hangup();
      return false;
    }
    try {
      this.#roomFor(this.#state).join(recorder.endpoint, { role: "passive" });
    } catch (e) {
      this.#logger.warn({ err: (e as Error).message, callId: this.conversation.callId }, "a recorder could not be seated");
      void recorder.hangup();
      return false;
    }
    this.#recorders.add(recorder);
    recorder.once("ended", () => this.#recorders.delete(recorder));
    return true;
  }

  /**
   * Applies an agent's action: true when the state changed, false when it already was so. Throws RECORDING_STATE
   * for a move the state does not allow (pause or resume while stopped, start while paused).
   */
  apply(action: RecordingAction): boolean {
    const from = this.#state;
    if (from === "ended") throw new CtiError(Errors.RECORDING_NO_CONVERSATION, "the conversation is over");
    const move = MOVES[action][from];
    if (move === "unchanged") return false;
    if ("refused" in move) throw new CtiError(Errors.RECORDING_STATE, move.refused);
    this.#transition(move.to);
    return true;
  }

  /** The conversation is over: every recorder gets BYE, the token is forgotten. Idempotent. */
  end(): void {
    if (this.#state === "ended") return;
    this.#transition("ended");
  }

  /** Every state change goes through here: recorders are moved, hung up, and the change is announced. */
  #transition(to: RecordingState): void {
    const from = this.#state;
    this.#state = to;
    switch (to) {
      case "paused":
        this.#moveRecorders(this.conversation.room, this.#roomFor("paused"));
        break;
      case "recording":
        if (from === "paused") this.#moveRecorders(this.#pausedRoom!, this.conversation.room);
        break;
      case "stopped":
        this.#hangUpRecorders();
        break;
      case "ended": {
        this.#hangUpRecorders();
        const { room } = this.conversation;
        room.off("left", this.#onLeft);
        room.off("close", this.#onRoomClosed);
        this.#pausedRoom?.close();
        this.#pausedRoom = undefined;
        break;
      }
    }
    this.#logger.debug({ callId: this.conversation.callId, from, to, recorders: this.#recorders.size }, "recording state changed");
    this.safeEmit("stateChanged", from, to);
    if (to === "ended") this.removeAllListeners();
  }

  #roomFor(state: RecordingState): MediaRoom {
    if (state !== "paused") return this.conversation.room;
    this.#pausedRoom ??= new MediaRoom(this.#logger);
    return this.#pausedRoom;
  }

  #moveRecorders(from: MediaRoom, to: MediaRoom): void {
    for (const recorder of this.#recorders) {
      if (recorder.endpoint.closed) continue;
      from.leave(recorder.endpoint);
      to.join(recorder.endpoint, { role: "passive" });
    }
  }

  #hangUpRecorders(): void {
    const recorders = [...this.#recorders];
    this.#recorders.clear();
    for (const recorder of recorders) void recorder.hangup();
  }
}
