import test from "ava";
import { WaitEstimator } from "../../cti/acd/wait-estimator.js";
import { Errors, isCtiError } from "../../cti/errors.js";

test("before any data the defaults give p × (H + A) / n + A", (t) => {
  const estimator = new WaitEstimator();
  t.deepEqual(estimator.averages("sales"), { handleSeconds: 180, answerSeconds: 10, handledSamples: 0, answeredSamples: 0 });
  t.is(estimator.estimatedWaitSeconds("sales", 1, 1), 200); // 1 × 190 / 1 + 10
  t.is(estimator.estimatedWaitSeconds("sales", 4, 10), 86); // 4 × 190 / 10 + 10
  t.is(estimator.estimatedWaitSeconds("sales", 2, 0), 390, "nobody serving counts as one agent");
  const custom = new WaitEstimator({ defaultHandleSeconds: 60, defaultAnswerSeconds: 0 });
  t.is(custom.estimatedWaitSeconds("x", 3, 2), 90);
});

test("recorded calls replace the defaults: plain mean first, then an exponential average", (t) => {
  const estimator = new WaitEstimator({ window: 2 });
  estimator.recordHandled("sales", 120_000);
  t.is(estimator.averages("sales").handleSeconds, 120, "the first call replaces the default entirely");
  estimator.recordHandled("sales", 60_000);
  t.is(estimator.averages("sales").handleSeconds, 90);
  estimator.recordHandled("sales", 290_000); // weight 1/2 from now on
  t.is(estimator.averages("sales").handleSeconds, 190);
  estimator.recordAnswered("sales", 6_000);
  t.is(estimator.averages("sales").answerSeconds, 6);
  t.is(estimator.averages("sales").handledSamples, 3);
  t.is(estimator.estimatedWaitSeconds("sales", 3, 2), 300); // 3 × 196 / 2 + 6 = 300
  t.is(estimator.estimatedWaitSeconds("sales", 1, 3), 72); // 196 / 3 + 6 = 71.33 → 72
  t.is(estimator.estimatedWaitSeconds("support", 1, 1), 200, "other groups keep the defaults");
});

test("the estimate grows with the position and shrinks with more agents", (t) => {
  const estimator = new WaitEstimator();
  for (let i = 0; i < 50; i++) estimator.recordHandled("g", 200_000 + (i % 5) * 1000);
  const byPosition = [1, 2, 5, 10].map((p) => estimator.estimatedWaitSeconds("g", p, 4));
  t.deepEqual([...byPosition].sort((a, b) => a - b), byPosition);
  t.true(estimator.estimatedWaitSeconds("g", 5, 8) < estimator.estimatedWaitSeconds("g", 5, 4));
});

test("bad samples and positions are refused", (t) => {
  const estimator = new WaitEstimator();
  t.true(isCtiError(t.throws(() => estimator.recordHandled("g", -1)), Errors.BAD_REQUEST));
  t.true(isCtiError(t.throws(() => estimator.recordAnswered("g", Number.NaN)), Errors.BAD_REQUEST));
  t.true(isCtiError(t.throws(() => estimator.estimatedWaitSeconds("g", 0, 1)), Errors.BAD_REQUEST));
  t.true(isCtiError(t.throws(() => new WaitEstimator({ window: 0 })), Errors.BAD_REQUEST));
  t.is(estimator.averages("g").handledSamples, 0);
});
