import test from "ava";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { allErrorDefinitions } from "../cti/errors.js";

// As fastify does: every error code must be documented, and the README must not list codes that no longer exist.
const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
const section = readme.slice(readme.indexOf("## Error codes"));

test("every error code is listed in the README's Error codes section", (t) => {
  const missing = allErrorDefinitions().filter((d) => !section.includes("`" + d.code + "`"));
  t.deepEqual(missing.map((d) => d.code), []);
});

test("the README lists no error code that does not exist", (t) => {
  const known = new Set(allErrorDefinitions().map((d) => d.code));
  const listed = [...section.matchAll(/`(CTI_ERR_[A-Z0-9_]+)`/g)].map((m) => m[1]!);
  t.deepEqual(listed.filter((c) => !known.has(c)), []);
});

test("error codes are unique and HTTP statuses are valid", (t) => {
  const defs = allErrorDefinitions();
  t.is(new Set(defs.map((d) => d.code)).size, defs.length);
  t.true(defs.every((d) => d.httpStatus >= 400 && d.httpStatus < 600));
});
