// The ctibridge command as an administrator uses it: the directory, check-config, and a daemon stopped by SIGTERM
// in the middle of a call.
import test from "ava";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../harness/repo-root.js";
import { makeTempDir } from "../harness/temp-dir.js";
import { freePortRange, freeTcpUdpPort } from "../harness/free-port.js";
import { startKamailio } from "../harness/kamailio.js";
import { startCall } from "../harness/sipp.js";
import { eventually } from "./daemon-fixture.js";
import { VERSION } from "../../cti/version.js";

const CLI = `${repoRoot()}/dist/cti/cli.js`;

function ctibridge(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", input, cwd: repoRoot() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("user add, list, set-pin, lock, unlock and remove manage the directory; PINs are never printed", (t) => {
  const dir = makeTempDir(t, "cli-users");
  const data = ["--data", dir.join("data")];
  t.is(ctibridge(["user", "add", "1001", "--pin", "1234", "--name", "Ada Lovelace", "--pdn", "5001", "--restore", "priority", ...data]).code, 0);
  t.is(ctibridge(["user", "add", "1002", "--pin", "-", ...data], "8642\n").code, 0);
  const duplicate = ctibridge(["user", "add", "1001", "--pin", "1234", ...data]);
  t.is(duplicate.code, 1);
  t.regex(duplicate.err, /CTI_ERR_USER_EXISTS/);
  const badPin = ctibridge(["user", "add", "1003", "--pin", "12", ...data]);
  t.is(badPin.code, 1);
  t.regex(badPin.err, /CTI_ERR_PIN_INVALID/);
  let list = ctibridge(["user", "list", ...data]);
  t.is(list.code, 0);
  t.regex(list.out, /^1001\tAda Lovelace\t5001\tpriority\tactive\t0$/m);
  t.regex(list.out, /^1002\t/m);
  t.false(list.out.includes("1234") || list.out.includes("8642"));
  t.is(ctibridge(["user", "set-pin", "1001", "--pin", "5678", ...data]).code, 0);
  t.is(ctibridge(["user", "lock", "1001", ...data]).code, 0);
  t.regex(ctibridge(["user", "list", ...data]).out, /^1001\t.*\tlocked\t/m);
  t.is(ctibridge(["user", "unlock", "1001", ...data]).code, 0);
  t.is(ctibridge(["user", "set", "1001", "--restore", "never", ...data]).code, 0);
  list = ctibridge(["user", "list", ...data]);
  t.regex(list.out, /^1001\tAda Lovelace\t5001\tnever\tactive\t0$/m);
  t.is(ctibridge(["user", "remove", "1002", ...data]).code, 0);
  t.notRegex(ctibridge(["user", "list", ...data]).out, /^1002\t/m);
  const missing = ctibridge(["user", "unlock", "9999", ...data]);
  t.is(missing.code, 1);
  t.regex(missing.err, /CTI_ERR_USER_NOT_FOUND/);
});

test("check-config accepts the demo and lists every error of a bad file with file, line and reason", (t) => {
  const ok = ctibridge(["check-config"]);
  t.is(ok.code, 0, ok.err);
  t.regex(ok.out, /demo\.yaml: OK/);
  const dir = makeTempDir(t, "cli-check");
  const file = dir.join("bad.yaml");
  writeFileSync(
    file,
    [
      "sites: [{ id: main, name: Main }]",
      "callManagers:",
      "  - { id: a, name: A, site: main, type: TAS, host: 127.0.0.1, port: 99999 }",
      "bvds:",
      "  - { number: 2000, kind: logon, script: no-such-script }",
      "frobnicate: true",
    ].join("\n"),
  );
  const bad = ctibridge(["check-config", file]);
  t.is(bad.code, 1);
  const lines = bad.err.trim().split("\n");
  t.true(lines.some((l) => l.startsWith(`${file}:3:`) && /port/.test(l)), bad.err);
  t.true(lines.some((l) => l.startsWith(`${file}:6:`) && /unknown key "frobnicate"/.test(l)), bad.err);
  // Fix the config errors: the missing script is reported next.
  writeFileSync(file, "sites: [{ id: main, name: Main }]\ncallManagers: [{ id: a, name: A, site: main, type: TAS, host: 127.0.0.1 }]\nbvds:\n  - { number: 2000, kind: logon, script: no-such-script }\n");
  const noScript = ctibridge(["check-config", file]);
  t.is(noScript.code, 1);
  t.regex(noScript.err, /script "no-such-script" not found/);
});

test("version prints the package version", (t) => {
  t.is(ctibridge(["version"]).out.trim(), `ctibridge ${VERSION}`);
});

test("SIGTERM ends an active call with BYE, closes the store and exits 0", async (t) => {
  const dir = makeTempDir(t, "cli-start");
  const sipPort = await freeTcpUdpPort();
  const httpPort = await freeTcpUdpPort();
  const media = await freePortRange(10);
  const kamailio = await startKamailio({ daemonPort: sipPort, t, dir });
  const config = dir.join("c.yaml");
  writeFileSync(
    config,
    `sip: { port: ${sipPort} }\nmedia: { portMin: ${media}, portMax: ${media + 9} }\nhttp: { port: ${httpPort} }\n` +
      `sites: [{ id: main, name: Main }]\ncallManagers: [{ id: kam, name: K, site: main, type: TAS, host: 127.0.0.1, port: ${kamailio.port} }]\n` +
      `bvds: [{ number: 2000, kind: logon }]\n`,
  );
  const daemon = spawn(process.execPath, [CLI, "start", "--config", config, "--data", dir.join("data")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  daemon.stdout.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => daemon.once("exit", (code) => resolve(code)));
  t.teardown(() => {
    if (daemon.exitCode === null) daemon.kill("SIGKILL");
  });
  await eventually(async () => ((await fetch(`http://127.0.0.1:${httpPort}/health`).catch(() => undefined))?.ok ? true : undefined), 10_000, "daemon up");
  // A caller sits in the logon prompt, keying nothing, waiting for the far end to hang up.
  const caller = await startCall({ proxyPort: kamailio.port, from: "3001", dialed: "2000", hangup: "remote", byeTimeoutMs: 30_000, t });
  await caller.waitForMessage((m) => m.direction === "received" && m.status === 200 && m.cseqMethod === "INVITE", "200 OK", 10_000);
  daemon.kill("SIGTERM");
  t.is(await exited, 0);
  const result = await caller.done;
  t.true(result.received.byeFromRemote, "the caller got a BYE");
  t.regex(log, /ctibridge stopped/);
});

test("SIGHUP reloads the scripts: a call in progress keeps its script, the next call runs the new one; a broken script changes nothing", async (t) => {
  const dir = makeTempDir(t, "cli-reload");
  const sipPort = await freeTcpUdpPort();
  const httpPort = await freeTcpUdpPort();
  const media = await freePortRange(10);
  const kamailio = await startKamailio({ daemonPort: sipPort, t, dir });
  const scripts = dir.join("scripts");
  mkdirSync(scripts);
  // v1 waits 3 s for a key, then hangs up; v2 hangs up at once.
  const v1 = "script: greeting\nstart: wait\nblocks:\n  wait: { type: collect, maxDigits: 1, firstDigitTimeout: 3s, retries: 0, into: key, next: bye, onNoInput: bye }\n  bye: { type: disconnect }\n";
  const v2 = "script: greeting\nstart: bye\nblocks:\n  bye: { type: disconnect }\n";
  writeFileSync(join(scripts, "greeting.yaml"), v1);
  const config = dir.join("c.yaml");
  writeFileSync(
    config,
    `sip: { port: ${sipPort} }\nmedia: { portMin: ${media}, portMax: ${media + 9} }\nhttp: { port: ${httpPort} }\n` +
      `sites: [{ id: main, name: Main }]\ncallManagers: [{ id: kam, name: K, site: main, type: TAS, host: 127.0.0.1, port: ${kamailio.port} }]\n` +
      `bvds: [{ number: 2500, kind: serviceAccess, script: greeting }]\nscripts: { directories: [${JSON.stringify(scripts)}] }\n`,
  );
  const daemon = spawn(process.execPath, [CLI, "start", "--config", config, "--data", dir.join("data")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  daemon.stdout.on("data", (d: Buffer) => (log += d.toString()));
  t.teardown(() => {
    if (daemon.exitCode === null) daemon.kill("SIGKILL");
  });
  await eventually(async () => ((await fetch(`http://127.0.0.1:${httpPort}/health`).catch(() => undefined))?.ok ? true : undefined), 10_000, "daemon up");
  const dial = () => startCall({ proxyPort: kamailio.port, from: "3001", dialed: "2500", hangup: "remote", byeTimeoutMs: 20_000, t });
  const byeAfter = async (caller: Awaited<ReturnType<typeof dial>>) => {
    const ok = await caller.waitForMessage((m) => m.direction === "received" && m.status === 200 && m.cseqMethod === "INVITE", "200 OK", 10_000);
    const bye = await caller.waitForMessage((m) => m.direction === "received" && m.method === "BYE", "BYE", 10_000);
    return { ok, bye };
  };

  const started = Date.now();
  const inProgress = dial();
  const first = await inProgress;
  await first.waitForMessage((m) => m.direction === "received" && m.status === 200 && m.cseqMethod === "INVITE", "200 OK", 10_000);
  writeFileSync(join(scripts, "greeting.yaml"), v2);
  daemon.kill("SIGHUP");
  await eventually(() => (log.includes("scripts reloaded") ? true : undefined), 5000, "the reload logged");
  await byeAfter(first);
  t.true(Date.now() - started >= 2900, "the call in progress kept v1 (waited for its key)");
  t.true((await first.done).received.byeFromRemote);

  const t0 = Date.now();
  const second = await dial();
  await byeAfter(second);
  t.true(Date.now() - t0 < 2500, "the next call ran v2 (hung up at once)");
  await second.done;

  writeFileSync(join(scripts, "greeting.yaml"), "script: greeting\nstart: nowhere\nblocks: {}\n");
  daemon.kill("SIGHUP");
  await eventually(() => (log.includes("scripts not reloaded") ? true : undefined), 5000, "the refusal logged");
  t.regex(log, /greeting\.yaml:\d+/);
  const third = await dial();
  await byeAfter(third);
  await third.done;
  t.is(daemon.exitCode, null, "the daemon kept running");
});
