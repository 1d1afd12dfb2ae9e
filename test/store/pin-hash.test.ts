import test from "ava";
import { performance } from "node:perf_hooks";
import { burnPinHashTime, hashPin, isValidPin, verifyPinHash } from "../../cti/store/pin-hash.js";

test("a PIN hash carries its scrypt parameters and a random salt", async (t) => {
  const a = await hashPin("1234");
  const b = await hashPin("1234");
  t.regex(a, /^scrypt\$16384\$8\$1\$[^$]+\$[^$]+$/);
  t.is(Buffer.from(a.split("$")[4]!, "base64").length, 16);
  t.not(a, b);
  t.true(await verifyPinHash("1234", a));
  t.true(await verifyPinHash("1234", b));
  t.false(await verifyPinHash("1235", a));
});

test("a hash with other parameters still verifies, and a malformed one never matches", async (t) => {
  const { scryptSync } = await import("node:crypto");
  const salt = Buffer.from("0123456789abcdef");
  const cheap = `scrypt$1024$8$1$${salt.toString("base64")}$${scryptSync("4321", salt, 32, { N: 1024, r: 8, p: 1 }).toString("base64")}`;
  t.true(await verifyPinHash("4321", cheap));
  for (const bad of ["", "4321", "bcrypt$1$2$3$4$5", "scrypt$1000$8$1$c2FsdA==$aGFzaA==", `scrypt$${2 ** 24}$8$1$c2FsdA==$aGFzaA==`]) {
    t.false(await verifyPinHash("4321", bad), bad);
  }
});

test("PINs are 4 to 12 digits", (t) => {
  for (const ok of ["0000", "123456789012"]) t.true(isValidPin(ok));
  for (const bad of ["123", "1234567890123", "12 4", "abcd", "١٢٣٤"]) t.false(isValidPin(bad));
});

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

test("checking a wrong PIN or an unknown user costs about as much as checking the right PIN", async (t) => {
  const stored = await hashPin("1234");
  const cases = {
    right: () => verifyPinHash("1234", stored),
    wrong: () => verifyPinHash("9999", stored),
    unknown: () => burnPinHashTime("9999"),
  };
  const times: Record<keyof typeof cases, number[]> = { right: [], wrong: [], unknown: [] };
  await cases.unknown(); // warm-up: builds the dummy hash
  // Interleaved, so load from other tests on the machine falls on all three alike.
  for (let i = 0; i < 7; i++) {
    for (const name of ["right", "wrong", "unknown"] as const) {
      const start = performance.now();
      await cases[name]();
      times[name].push(performance.now() - start);
    }
  }
  const [right, wrong, unknown] = [median(times.right), median(times.wrong), median(times.unknown)];
  t.log({ right, wrong, unknown });
  // Generous bounds for a shared machine: a skipped hash would be a hundred times faster, not a few.
  t.true(wrong > right * 0.33, `wrong ${wrong} ms vs right ${right} ms`);
  t.true(unknown > right * 0.33, `unknown ${unknown} ms vs right ${right} ms`);
});
