// What the service groups of a configuration refer to outside the configuration file itself: prompts they play and
// scripts their destinations run. Checked at start-up and by check-config, so a typo is a file:line error, not a
// silent caller in a queue.
import type { Config, DestinationConfig } from "../config/schema.js";

export interface ServiceGroupReferences {
  prompts: { path: (string | number)[]; prompt: string }[];
  scripts: Set<string>;
}

export function serviceGroupReferences(config: Config): ServiceGroupReferences {
  const refs: ServiceGroupReferences = { prompts: [], scripts: new Set() };
  const destination = (d: DestinationConfig | undefined, path: (string | number)[]): void => {
    if (!d) return;
    if ("prompt" in d) refs.prompts.push({ path: [...path, "prompt"], prompt: d.prompt });
    if ("script" in d) refs.scripts.add(d.script);
  };
  config.serviceGroups.forEach((g, i) => {
    const at = ["serviceGroups", i];
    if (g.welcomePrompt) refs.prompts.push({ path: [...at, "welcomePrompt"], prompt: g.welcomePrompt });
    if (g.music) refs.prompts.push({ path: [...at, "music"], prompt: g.music });
    if (g.announcement) {
      for (const prompt of ["queue-position", "queue-in-line", "queue-estimated-wait", "minutes", "less-than-one-minute"]) {
        refs.prompts.push({ path: [...at, "announcement"], prompt });
      }
    }
    destination(g.overflow, [...at, "overflow"]);
    destination(g.closed, [...at, "closed"]);
  });
  return refs;
}
