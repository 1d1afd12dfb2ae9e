// Whether a prompt name resolves to a file, for validating scripts at load.
import type { PromptLibrary } from "./media/prompt-library.js";

export function promptExists(prompts: PromptLibrary, name: string, language: string): boolean {
  try {
    prompts.resolve(name, language);
    return true;
  } catch {
    return false;
  }
}
