// An in-memory IvrChannel for testing the script engine's logic (the SIP/RTP path is tested against real peers).
import type { IvrChannel, PlayResult } from "../../ivr/ivr-channel.js";

export class MemoryChannel implements IvrChannel {
  readonly callId = "test-call";
  readonly played: string[][] = [];
  ended = false;
  hungUp = false;
  /** Keys to press when a given prompt starts (type-ahead or answers). */
  readonly onPrompt = new Map<string, string[]>();
  #digitListeners = new Set<(d: string) => void>();
  #endedListeners = new Set<() => void>();

  async play(prompts: string[], options: { interruptOnDtmf: boolean }): Promise<PlayResult> {
    if (this.ended) return "closed";
    this.played.push(prompts);
    const keys = this.onPrompt.get(prompts[0]!)?.shift();
    if (keys !== undefined) {
      for (const k of keys) this.press(k);
      if (keys.length > 0 && options.interruptOnDtmf) return "interrupted";
    }
    return "completed";
  }
  press(digit: string): void {
    for (const l of this.#digitListeners) l(digit);
  }
  onDigit(listener: (d: string) => void): () => void {
    this.#digitListeners.add(listener);
    return () => this.#digitListeners.delete(listener);
  }
  onEnded(listener: () => void): () => void {
    this.#endedListeners.add(listener);
    return () => this.#endedListeners.delete(listener);
  }
  callerHangsUp(): void {
    this.ended = true;
    for (const l of this.#endedListeners) l();
  }
  async hangup(): Promise<void> {
    this.hungUp = true;
    this.callerHangsUp();
  }
}
