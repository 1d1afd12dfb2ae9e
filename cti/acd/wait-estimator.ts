// Estimated wait time per service group, from two moving averages the lead feeds:
//   handle time  H: talk + wrap-up of each answered call (recordHandled, when the call ends), and
//   answer time  A: from the offer until the agent answers, the ringing (recordAnswered).
//
//   estimatedWaitSeconds(group, position p, agents serving n) = p × (H + A) / max(n, 1) + A
//
// Why: a queued call waits while every serving agent is busy. Each agent frees up once per H + A on average, so
// n agents free one every (H + A) / n; the caller at position p gets the p-th agent that frees up, then rings for
// A. n is the number of agents serving the group (logged on, not not-ready: AcdDispatcher.agentsServing); with
// nobody serving the estimate assumes one agent, so it stays a finite, announceable number.
//
// Averages: the plain mean of the first `window` samples (so a few early calls are not dragged towards the
// default), then exponential with weight 1/window (older calls fade out). Before any sample of a group the
// defaults stand in: 180 s handle time and 10 s answer time unless configured.
import { CtiError, Errors } from "../errors.js";

export interface WaitEstimatorOptions {
  /** Handle time (talk + wrap-up) assumed before a group has any, in seconds (default 180). */
  defaultHandleSeconds?: number;
  /** Answer time (ringing) assumed before a group has any, in seconds (default 10). */
  defaultAnswerSeconds?: number;
  /** Samples averaged plainly before the average turns exponential with weight 1/window (default 20). */
  window?: number;
}

class MovingAverage {
  #value: number;
  #samples = 0;
  readonly #window: number;

  constructor(initial: number, window: number) {
    this.#value = initial;
    this.#window = window;
  }

  get value(): number {
    return this.#value;
  }

  get samples(): number {
    return this.#samples;
  }

  add(sample: number): void {
    this.#samples++;
    this.#value += (sample - this.#value) / Math.min(this.#samples, this.#window);
  }
}

interface GroupAverages {
  readonly handle: MovingAverage;
  readonly answer: MovingAverage;
}

export interface WaitAverages {
  handleSeconds: number;
  answerSeconds: number;
  handledSamples: number;
  answeredSamples: number;
}

function assertDuration(ms: number, what: string): void {
  if (!Number.isFinite(ms) || ms < 0) throw new CtiError(Errors.BAD_REQUEST, `${what} must be a duration in ms, not ${ms}`);
}

export class WaitEstimator {
  readonly #groups = new Map<string, GroupAverages>();
  readonly #defaultHandle: number;
  readonly #defaultAnswer: number;
  readonly #window: number;

  constructor(options: WaitEstimatorOptions = {}) {
    this.#defaultHandle = options.defaultHandleSeconds ?? 180;
    this.#defaultAnswer = options.defaultAnswerSeconds ?? 10;
    this.#window = options.window ?? 20;
    assertDuration(this.#defaultHandle, "defaultHandleSeconds");
    assertDuration(this.#defaultAnswer, "defaultAnswerSeconds");
    if (!Number.isInteger(this.#window) || this.#window < 1) throw new CtiError(Errors.BAD_REQUEST, "window must be a positive integer");
  }

  /** A call of the group ended: its talk time plus wrap-up time. */
  recordHandled(groupId: string, handleMs: number): void {
    assertDuration(handleMs, "handle time");
    this.#averages(groupId).handle.add(handleMs / 1000);
  }

  /** An agent answered a call of the group this long after it was offered. */
  recordAnswered(groupId: string, answerMs: number): void {
    assertDuration(answerMs, "answer time");
    this.#averages(groupId).answer.add(answerMs / 1000);
  }

  averages(groupId: string): WaitAverages {
    const group = this.#groups.get(groupId);
    return {
      handleSeconds: group?.handle.value ?? this.#defaultHandle,
      answerSeconds: group?.answer.value ?? this.#defaultAnswer,
      handledSamples: group?.handle.samples ?? 0,
      answeredSamples: group?.answer.samples ?? 0,
    };
  }

  /** Whole seconds (rounded up) until a caller at `position` (1-based) is answered; see the formula above. */
  estimatedWaitSeconds(groupId: string, position: number, agentsServing: number): number {
    if (!Number.isInteger(position) || position < 1) throw new CtiError(Errors.BAD_REQUEST, `position must be 1 or more, not ${position}`);
    const { handleSeconds, answerSeconds } = this.averages(groupId);
    const agents = Math.max(1, Math.floor(agentsServing) || 0);
    return Math.ceil((position * (handleSeconds + answerSeconds)) / agents + answerSeconds);
  }

  #averages(groupId: string): GroupAverages {
    let group = this.#groups.get(groupId);
    if (!group) {
      group = {
        handle: new MovingAverage(this.#defaultHandle, this.#window),
        answer: new MovingAverage(this.#defaultAnswer, this.#window),
      };
      this.#groups.set(groupId, group);
    }
    return group;
  }
}
