// `ctibridge asterisk-config`: the Asterisk 22 pieces for the current configuration. No Asterisk can be installed
// here, so the output is checked by snapshot (reviewed text), by a parser of Asterisk's format
// (asterisk-conf-lint.ts) and by structural checks of what the interop measurements require.
import test from "ava";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { generateAsteriskConfig, renderAsteriskConfig, type AsteriskConfigOptions } from "../../cti/asterisk/asterisk-config.js";
import { HEADERS_COPIED_TO_PHONES, TRANSFER_MARK_HEADERS } from "../../cti/sip/cti-headers.js";
import { loadConfig, DEMO_CONFIG_FILE } from "../../cti/config/load-config.js";
import { configSchema, type Config } from "../../cti/config/schema.js";
import type { CtiError } from "../../cti/errors.js";
import { repoRoot } from "../harness/repo-root.js";
import { makeTempDir } from "../harness/temp-dir.js";
import { parseAsteriskConf, referencedContexts, delimiterError, type ParsedConf, type Section } from "./asterisk-conf-lint.js";

const CLI = `${repoRoot()}/dist/cti/cli.js`;

function config(extra: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    sites: [{ id: "main", name: "Main" }],
    callManagers: [{ id: "ast", name: "Asterisk", site: "main", type: "TAS", host: "192.0.2.20" }],
    sip: { address: "192.0.2.10", port: 5070 },
    bvds: [
      { number: 2000, kind: "logon" },
      { number: "*77", kind: "logoff" },
      { number: 3000, kind: "serviceAccess", script: "sales-menu", description: "Sales; --\nsecond line" },
    ],
    ...extra,
  });
}

function parsed(cfg: Config, options: AsteriskConfigOptions = {}): { pjsip: ParsedConf; extensions: ParsedConf } {
  const out = generateAsteriskConfig(cfg, options);
  return { pjsip: parseAsteriskConf(out.pjsip.text, "pjsip"), extensions: parseAsteriskConf(out.extensions.text, "extensions") };
}

function section(conf: ParsedConf, name: string, type?: string): Section {
  const found = conf.sections.find((s) => s.name === name && (!type || s.options.some((o) => o.key === "type" && o.value === type)));
  if (!found) throw new Error(`no [${name}]${type ? ` of type ${type}` : ""}`);
  return found;
}

function option(s: Section, key: string): string | undefined {
  return s.options.find((o) => o.key === key)?.value;
}

function ctibridge(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: repoRoot() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("the demo configuration's Asterisk pieces (snapshot)", (t) => {
  const text = renderAsteriskConfig(loadConfig(DEMO_CONFIG_FILE).config);
  t.snapshot(text);
  t.is(renderAsteriskConfig(loadConfig(DEMO_CONFIG_FILE).config), text, "same input, same bytes");
});

test("the output parses as Asterisk configuration: sections, key = value, exten/same lines, references resolve", (t) => {
  for (const cfg of [loadConfig(DEMO_CONFIG_FILE).config, config(), config({ sip: { address: "192.0.2.10", transports: ["tcp"] } })]) {
    const { pjsip, extensions } = parsed(cfg);
    t.deepEqual(pjsip.errors, []);
    t.deepEqual(extensions.errors, []);
    t.true(pjsip.sections.length === 3 && extensions.sections.length === 4);
  }
  const text = renderAsteriskConfig(config());
  t.false(/[\t\r]/.test(text), "no tabs, no CR");
  t.false(/ +$/m.test(text), "no trailing spaces");
});

test("the endpoint carries every setting the interop measurements call for", (t) => {
  const { pjsip } = parsed(config());
  const endpoint = section(pjsip, "ctibridge", "endpoint");
  t.like(Object.fromEntries(endpoint.options.map((o) => [o.key, o.value])), {
    context: "from-ctibridge",
    aors: "ctibridge",
    dtmf_mode: "rfc4733",
    direct_media: "no",
    trust_id_inbound: "yes",
    send_pai: "yes",
    timers: "no",
    allow: "!all,ulaw,alaw",
  });
  const aor = section(pjsip, "ctibridge", "aor");
  t.is(option(aor, "contact"), "sip:192.0.2.10:5070");
  t.regex(option(aor, "qualify_frequency") ?? "", /^[1-9]\d*$/);
  const identify = pjsip.sections.find((s) => option(s, "type") === "identify")!;
  t.is(option(identify, "endpoint"), "ctibridge");
  t.is(option(identify, "match"), "192.0.2.10:5070", "address AND port: phones may share the bridge's address");
});

test("every BVD number is dialled to the trunk from the phones' context, with the transfer mark", (t) => {
  const cfg = config();
  const { extensions } = parsed(cfg);
  const phones = section(extensions, "from-phones");
  for (const bvd of cfg.bvds) {
    const dial = phones.extensions.get(bvd.number)?.find((p) => p.app === "Dial");
    t.truthy(dial, `BVD ${bvd.number} has a Dial`);
    t.true(dial!.args.startsWith("PJSIP/${EXTEN}@ctibridge,"), dial!.args);
    t.deepEqual(referencedContexts(dial!).map((r) => r.context), ["cti-xfer-mark"]);
    // Back to the bridge from the bridge's own context too (hairpin), through the phones' context.
    const hairpin = section(extensions, "from-ctibridge").extensions.get(bvd.number)?.[0];
    t.is(hairpin?.app, "Goto");
    t.deepEqual(referencedContexts(hairpin!), [{ context: "from-phones", exten: bvd.number }]);
  }
  const mark = section(extensions, "cti-xfer-mark").extensions.get("s")!;
  t.regex(mark[0]!.args, /"\$\{ARG2\}" != "ctibridge"/, "only the bridge's own legs are marked");
  t.deepEqual(
    mark.filter((p) => p.app === "Set").map((p) => /PJSIP_HEADER\(add,([^)]+)\)/.exec(p.args)?.[1]),
    [TRANSFER_MARK_HEADERS.callId, TRANSFER_MARK_HEADERS.tags],
  );
});

test("calls from the bridge ring the agent's endpoint with the bridge's headers copied", (t) => {
  const { extensions } = parsed(config());
  const agent = section(extensions, "from-ctibridge").extensions.get("_X.")!;
  const dial = agent.find((p) => p.app === "Dial")!;
  t.regex(dial.args, /^PJSIP\/\$\{EXTEN\},/);
  t.deepEqual(referencedContexts(dial).map((r) => r.context), ["cti-copy-hdr"]);
  const copy = section(extensions, "cti-copy-hdr").extensions.get("s")!;
  for (const header of Object.values(HEADERS_COPIED_TO_PHONES)) {
    const read = agent.find((p) => p.args.includes(`PJSIP_HEADER(read,${header})`));
    t.truthy(read, `${header} is read from the bridge's INVITE`);
    const variable = /^_(\w+)=/.exec(read!.args)![1]!;
    t.true(copy.some((p) => p.args === `PJSIP_HEADER(add,${header})=\${${variable}}`), `${header} is added to the phone's INVITE`);
  }
});

test("service group destinations that are numbers are dialled through the phones' context", (t) => {
  const cfg = config({
    serviceAccesses: [{ id: "sales", serviceGroup: "Sales" }],
    serviceGroups: [
      { id: "Sales", agents: "*", maxWait: "2m", overflow: { number: "5000" }, closed: { number: "2000" } },
      { id: "Support", agents: "*", closed: { number: "5000" } },
    ],
  });
  const bridge = section(parsed(cfg).extensions, "from-ctibridge");
  t.deepEqual(referencedContexts(bridge.extensions.get("5000")![0]!), [{ context: "from-phones", exten: "5000" }]);
  t.is([...bridge.extensions.keys()].filter((k) => k === "2000").length, 1, "a destination that is a BVD is its hairpin");
  t.regex(generateAsteriskConfig(cfg).extensions.text, /; 5000: overflow of service group Sales, closed service group Support/);
});

test("TCP only: the contact says transport=tcp and identify matches the address alone", (t) => {
  const { pjsip } = parsed(config({ sip: { address: "192.0.2.10", port: 5070, transports: ["tcp"] } }));
  t.is(option(section(pjsip, "ctibridge", "aor"), "contact"), "sip:192.0.2.10:5070\\;transport=tcp", "';' escaped, or Asterisk cuts it off");
  t.is(option(pjsip.sections.find((s) => option(s, "type") === "identify")!, "match"), "192.0.2.10");
  t.regex(generateAsteriskConfig(config({ sip: { transports: ["tcp"] } })).pjsip.text, /ctibridge at 127\.0\.0\.1:5080 \(TCP\)/);
});

test("--phones-context and --trunk-name rename the contexts, the endpoint and the files", (t) => {
  const out = generateAsteriskConfig(config(), { phonesContext: "internal", trunkName: "cti-1" });
  t.is(out.pjsip.name, "pjsip_cti-1.conf");
  t.is(out.extensions.name, "extensions_cti-1.conf");
  const pjsip = parseAsteriskConf(out.pjsip.text, "pjsip");
  const extensions = parseAsteriskConf(out.extensions.text, "extensions");
  t.deepEqual([...pjsip.errors, ...extensions.errors], []);
  t.is(option(section(pjsip, "cti-1", "endpoint"), "context"), "from-cti-1");
  t.true(section(extensions, "internal").extensions.get("2000")![0]!.args.startsWith("PJSIP/${EXTEN}@cti-1,"));
  t.regex(section(extensions, "cti-xfer-mark").extensions.get("s")![0]!.args, /!= "cti-1"/);
  t.false(/@ctibridge|from-phones/.test(out.extensions.text));
});

test("names Asterisk would misread and an unreachable sip.address are refused", (t) => {
  for (const options of [{ trunkName: "a b" }, { trunkName: "x,y" }, { phonesContext: "ctx]" }, { phonesContext: "" }, { phonesContext: "from-ctibridge" }]) {
    t.is(t.throws<CtiError>(() => generateAsteriskConfig(config(), options))?.code, "CTI_ERR_BAD_REQUEST", JSON.stringify(options));
  }
  const error = t.throws<CtiError>(() => generateAsteriskConfig(config({ sip: { address: "0.0.0.0" } })));
  t.is(error?.code, "CTI_ERR_CONFIG_INVALID");
  t.regex(error!.message, /sip\.address/);
});

test("a description cannot break the file: no ';' or line break from the configuration reaches a comment", (t) => {
  const text = generateAsteriskConfig(config()).extensions.text;
  t.regex(text, /^; 3000: serviceAccess \(script sales-menu\) - Sales, -- second line$/m);
});

test("the syntax checker catches what Asterisk would misread", (t) => {
  const errors = (text: string, kind: "pjsip" | "extensions") => parseAsteriskConf(text, kind).errors.join("\n");
  t.regex(errors("exten => 1,1,Hangup()\n", "extensions"), /outside any section/);
  t.regex(errors("[a]\nexten => 1,2,Hangup()\n", "extensions"), /starts at priority 2/);
  t.regex(errors("[a]\n same => n,Hangup()\n", "extensions"), /without an 'exten =>'/);
  t.regex(errors("[a]\nexten => 1,1,Set(X=a;b)\n same => n,Hangup()\n", "extensions"), /unescaped ';'/);
  t.regex(errors("[a]\nexten => 1,1,Dial(PJSIP/1,,b(nowhere^s^1))\n same => n,Hangup()\n", "extensions"), /context nowhere does not exist/);
  t.regex(errors("[a]\nexten => 1,1,GotoIf($[1]?nolabel)\n same => n,Hangup()\n", "extensions"), /label nolabel/);
  t.regex(errors("[a]\nexten => 1,1,Dail(PJSIP/1)\n same => n,Hangup()\n", "extensions"), /unknown application Dail/);
  t.regex(errors("[a]\r\nexten => 1,1,Hangup()\n", "extensions"), /CR characters/);
  t.regex(errors("; x ;-- y\n", "extensions"), /block comment/);
  t.regex(errors("[e]\ntype = endpoint\ndirect_meda = no\n", "pjsip"), /direct_meda is not an option/);
  t.regex(errors("[e]\ntype = endpoint\naors = missing\n", "pjsip"), /aor missing does not exist/);
  t.regex(errors("[e]\ncontext = x\n", "pjsip"), /must start with type/);
  t.is(delimiterError("Dial(PJSIP/${EXTEN},,b(x^s^1(${A}^${B})))"), undefined);
  t.truthy(delimiterError("Set(A=${B)"));
  t.truthy(delimiterError("GotoIf($[${LEN(${A})} = 0?x)"));
});

test("the CLI prints both pieces for a configuration file and exits 0", (t) => {
  const dir = makeTempDir(t, "asterisk-config-cli");
  const file = dir.join("c.yaml");
  writeFileSync(
    file,
    "sip: { address: 192.0.2.10, port: 5070, transports: [udp] }\nsites: [{ id: main, name: Main }]\n" +
      "callManagers: [{ id: ast, name: Asterisk, site: main, type: TAS, host: 192.0.2.20 }]\n" +
      "bvds: [{ number: 2000, kind: logon }, { number: 2001, kind: logoff }]\n",
  );
  const r = ctibridge(["asterisk-config", "--config", file, "--phones-context", "internal"]);
  t.is(r.code, 0, r.err);
  t.is(r.err, "");
  const cfg = loadConfig(file).config;
  t.is(r.out, renderAsteriskConfig(cfg, { phonesContext: "internal" }));
  const [pjsipText, extensionsText] = r.out.split(/(?=^;;; file: extensions_)/m);
  t.regex(pjsipText!, /^;;; file: pjsip_ctibridge\.conf$/m);
  t.deepEqual(parseAsteriskConf(pjsipText!.replace(/\n+$/, "\n"), "pjsip").errors, []);
  t.deepEqual(parseAsteriskConf(extensionsText!, "extensions").errors, []);
  t.regex(r.out, /^match = 192\.0\.2\.10:5070$/m);
  t.regex(r.out, /^exten => 2001,1,Dial\(PJSIP\/\$\{EXTEN\}@ctibridge,/m);
  // Without --config: the demo configuration.
  const demo = ctibridge(["asterisk-config"]);
  t.is(demo.code, 0, demo.err);
  t.is(demo.out, renderAsteriskConfig(loadConfig(DEMO_CONFIG_FILE).config));
});

test("the CLI reports a bad configuration file with file:line errors and exits 1", (t) => {
  const dir = makeTempDir(t, "asterisk-config-bad");
  const file = dir.join("bad.yaml");
  writeFileSync(
    file,
    "sites: [{ id: main, name: Main }]\ncallManagers:\n  - { id: a, name: A, site: main, type: TAS, host: 127.0.0.1 }\n" +
      "sip: { port: 70000 }\nbvds:\n  - { number: 2000, kind: login }\n",
  );
  const r = ctibridge(["asterisk-config", "--config", file]);
  t.is(r.code, 1);
  t.is(r.out, "", "nothing half-written on standard output");
  const lines = r.err.trim().split("\n");
  t.true(lines.some((l) => l.startsWith(`${file}:4:`) && /port/.test(l)), r.err);
  t.true(lines.some((l) => l.startsWith(`${file}:6:`) && /kind/.test(l)), r.err);
  const badName = ctibridge(["asterisk-config", "--trunk-name", "no good"]);
  t.is(badName.code, 1);
  t.regex(badName.err, /CTI_ERR_BAD_REQUEST.*trunk name "no good"/);
});
