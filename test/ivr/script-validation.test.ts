import test from "ava";
import { parseScript } from "../../ivr/script-library.js";
import { SourceInvalidError, YamlSource } from "../../cti/config/yaml-source.js";

const options = { actionNames: new Set(["agent.logon"]), promptExists: (name: string) => name !== "missing-prompt" };

function problems(yaml: string) {
  const error = (() => {
    try {
      parseScript(YamlSource.fromText("bad.yaml", yaml), options);
      return undefined;
    } catch (e) {
      return e as SourceInvalidError;
    }
  })();
  if (!(error instanceof SourceInvalidError)) throw new Error("expected the script to be refused");
  return error.problems.map((p) => `${p.line}: ${p.reason}`);
}

test("a script naming a block that does not exist is refused with the line", (t) => {
  t.deepEqual(problems("script: s\nstart: a\nblocks:\n  a:\n    type: play\n    prompts: [hello]\n    next: nowhere\n"), [
    '7: no block named "nowhere"',
  ]);
});

test("unknown actions and prompts, bad types and unknown keys are all reported at once", (t) => {
  const found = problems(
    [
      "script: s",
      "start: a",
      "blocks:",
      "  a:",
      "    type: action",
      "    action: agent.fly",
      "    next: b",
      "  b:",
      "    type: play",
      "    prompts: [missing-prompt]",
      "    next: c",
      "  c:",
      "    type: collect",
      "    into: x",
      "    maxDigits: lots",
      "    colour: red",
      "  d:",
      "    type: teleport",
    ].join("\n"),
  );
  t.true(found.some((p) => p.startsWith("6: unknown action \"agent.fly\"")), found.join("\n"));
  t.true(found.some((p) => p.startsWith('10: no prompt named "missing-prompt"')), found.join("\n"));
  t.true(found.some((p) => p.startsWith("15: blocks.c.maxDigits")), found.join("\n"));
  t.true(found.some((p) => p.startsWith('16: blocks.c: unknown key "colour"')), found.join("\n"));
  t.true(found.some((p) => p.startsWith('18: block "d" needs a type')), found.join("\n"));
});

test("a condition must have exactly one test", (t) => {
  const found = problems(
    "script: s\nstart: a\nblocks:\n  a:\n    type: branch\n    cases:\n      - if: { var: x, equals: 1, lessThan: 3 }\n        next: a\n    else: a\n",
  );
  t.true(found.some((p) => /exactly one test/.test(p) && p.startsWith("7:")), found.join("\n"));
});
