// The harness reads non-TypeScript files (kamailio.cfg, SIPp scenarios) from the SOURCE tree, because dist/ holds
// only compiled JavaScript. The repo root is the nearest folder above this module that holds package.json.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function repoRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Absolute path of a file in the source tree's `test/harness/` folder. */
export function harnessFile(...parts: string[]): string {
  return join(repoRoot(), "test", "harness", ...parts);
}
