// What a caller hears while waiting in a service group's queue: the welcome prompt once, then music (looped), and
// every `interval` an announcement of the queue position and estimated wait between two stretches of music.
//
//   start() ──► welcome ──► music ◄──► announcement (every interval) … ──stop()──► silence
// stop() is idempotent and interrupts whatever plays; the endpoint stays its owner's.
import type { MediaEndpoint } from "../../ivr/media/media-endpoint.js";
import { announcementPrompts } from "../../ivr/queue-announcement.js";

export interface QueueTreatmentSettings {
  welcomePrompt?: string | undefined;
  music: string | null;
  announcement?: { interval: number; position: boolean; estimatedWait: boolean } | undefined;
}

export interface QueueTreatmentOptions {
  endpoint: MediaEndpoint;
  settings: QueueTreatmentSettings;
  /** Prompt name → file to play (the prompt library's resolve with the system language). */
  resolve: (prompt: string) => string;
  /** The caller's place now: 1-based position and estimated wait in seconds. */
  standing: () => { position: number | undefined; estimatedWaitSeconds: number | undefined };
  onError: (error: Error) => void;
}

export class QueueTreatment {
  readonly #o: QueueTreatmentOptions;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #announcementDue = false;
  /** Wakes the loop when there is no music to interrupt. */
  #wake: (() => void) | undefined;

  constructor(options: QueueTreatmentOptions) {
    this.#o = options;
  }

  start(): void {
    const announcement = this.#o.settings.announcement;
    if (announcement && (announcement.position || announcement.estimatedWait)) {
      this.#timer = setInterval(() => {
        this.#announcementDue = true;
        this.#o.endpoint.stopPlayback();
        this.#wake?.();
      }, announcement.interval);
      this.#timer.unref();
    }
    this.#run().catch((e: unknown) => {
      if (!this.#stopped) this.#o.onError(e as Error);
    });
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#o.endpoint.stopPlayback();
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const { endpoint, settings, resolve } = this.#o;
    if (settings.welcomePrompt) await endpoint.play([resolve(settings.welcomePrompt)]);
    while (!this.#stopped && !endpoint.closed) {
      if (this.#announcementDue) {
        this.#announcementDue = false;
        const prompts = this.#announcement();
        if (prompts.length > 0) await endpoint.play(prompts.map(resolve));
        continue;
      }
      if (settings.music) {
        await endpoint.play([resolve(settings.music)], { loop: true });
      } else {
        await new Promise<void>((wake) => (this.#wake = wake));
        this.#wake = undefined;
      }
    }
  }

  #announcement(): string[] {
    const a = this.#o.settings.announcement!;
    const { position, estimatedWaitSeconds } = this.#o.standing();
    if (position === undefined) return [];
    return announcementPrompts(position, estimatedWaitSeconds, { position: a.position, estimatedWait: a.estimatedWait });
  }
}
