// The part of ava's ExecutionContext the harness needs: register cleanup, know whether the test passed, log.
// A structural type keeps the harness usable from plain scripts too (pass nothing and call stop() yourself).
export interface TeardownContext {
  teardown(fn: () => void | Promise<void>): void;
  readonly passed: boolean;
  log(...values: unknown[]): void;
  /** The test's title (names its temp dir). */
  readonly title?: string;
}
