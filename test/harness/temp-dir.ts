// Per-test scratch directories under /tmp/ctibridge-test-*. Each holds the logs, configs and run files of the
// processes one test starts. Removed on teardown when the test passed; kept (and its path logged) when it failed,
// so the peers' logs can be read afterwards.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TeardownContext } from "./teardown-context.js";

const PREFIX = "ctibridge-test-";

export interface TempDir {
  readonly path: string;
  /** Path of a file or folder inside the directory. */
  join(...parts: string[]): string;
  /** Remove the directory now (idempotent). */
  remove(): void;
}

const perTest = new WeakMap<TeardownContext, TempDir>();

/**
 * The temp dir of this test: every peer a test starts puts its files in the same folder (named after the test),
 * so a failed test leaves one folder to read. Without `t`, a new folder each call.
 */
export function testTempDir(t: TeardownContext | undefined, label = "run"): TempDir {
  if (!t) return makeTempDir(undefined, label);
  let dir = perTest.get(t);
  if (!dir) {
    dir = makeTempDir(t, t.title ?? label);
    perTest.set(t, dir);
  }
  return dir;
}

/** A new temp dir; with `t`, removed on teardown if the test passed. */
export function makeTempDir(t?: TeardownContext, label = "run"): TempDir {
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, "-").slice(0, 40);
  const path = mkdtempSync(join(tmpdir(), `${PREFIX}${safe}-`));
  // Peers may run as nobody (Kamailio); they must be able to reach their own subfolders.
  chmodSync(path, 0o755);
  let removed = false;
  const dir: TempDir = {
    path,
    join: (...parts) => join(path, ...parts),
    remove() {
      if (removed) return;
      removed = true;
      rmSync(path, { recursive: true, force: true });
    },
  };
  t?.teardown(() => {
    if (t.passed) dir.remove();
    else t.log(`kept test files in ${path}`);
  });
  return dir;
}
