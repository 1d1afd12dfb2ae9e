// What a waiting caller hears in a periodic queue announcement, as prompt names played in order:
//
//   "You are number" "three" "in the queue."  "Your estimated waiting time is" "four" "minutes"
//   (queue-position number-3 queue-in-line)  (queue-estimated-wait number-4 minutes)
//
// Numbers are spoken from the prompts number-1 … number-20; a sentence whose number would be above twenty is left
// out rather than said wrongly. Waits are rounded up to whole minutes (a caller told "two minutes" should not wait
// three), and anything under a minute is "less than one minute."

/** The highest number with a prompt (number-1 … number-20). */
export const HIGHEST_SPOKEN_NUMBER = 20;

export interface AnnouncementOptions {
  /** Say the caller's position in the queue. */
  position: boolean;
  /** Say the estimated waiting time. */
  estimatedWait: boolean;
}

function spokenNumber(n: number): string | undefined {
  return Number.isInteger(n) && n >= 1 && n <= HIGHEST_SPOKEN_NUMBER ? `number-${n}` : undefined;
}

/**
 * The prompts to play, in order; empty when there is nothing to say. `position` is 1 for the caller next in line;
 * `estimatedWaitSeconds` is undefined when no estimate exists yet (no calls answered to learn from).
 */
export function announcementPrompts(position: number, estimatedWaitSeconds: number | undefined, options: AnnouncementOptions): string[] {
  const prompts: string[] = [];
  const place = options.position ? spokenNumber(position) : undefined;
  if (place) prompts.push("queue-position", place, "queue-in-line");
  if (options.estimatedWait && estimatedWaitSeconds !== undefined && Number.isFinite(estimatedWaitSeconds) && estimatedWaitSeconds >= 0) {
    if (estimatedWaitSeconds < 60) {
      prompts.push("queue-estimated-wait", "less-than-one-minute");
    } else {
      const minutes = Math.ceil(estimatedWaitSeconds / 60);
      const spoken = spokenNumber(minutes);
      if (spoken) prompts.push("queue-estimated-wait", spoken, minutes === 1 ? "minute" : "minutes");
    }
  }
  return prompts;
}

/** Every prompt an announcement can use, for checking that a prompt language has them all. */
export const ANNOUNCEMENT_PROMPTS: readonly string[] = [
  "queue-position",
  "queue-in-line",
  "queue-estimated-wait",
  "less-than-one-minute",
  "minute",
  "minutes",
  ...Array.from({ length: HIGHEST_SPOKEN_NUMBER }, (_, i) => `number-${i + 1}`),
];
