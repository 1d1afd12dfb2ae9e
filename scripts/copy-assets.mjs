// Copies the non-TypeScript files the daemon reads at run time (YAML scripts and config, prompts, MIB)
// next to the compiled JavaScript, so dist/ is self-contained and paths resolve the same way in both trees.
import { cpSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const assets = [
  ["cti/config/demo.yaml", "dist/cti/config/demo.yaml"],
  ["ivr/scripts", "dist/ivr/scripts"],
  ["ivr/prompts", "dist/ivr/prompts"],
  ["mib", "dist/mib"],
];
for (const [from, to] of assets) {
  if (existsSync(join(root, from))) cpSync(join(root, from), join(root, to), { recursive: true });
}
