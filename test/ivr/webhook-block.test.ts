// The webhook block against a real HTTP server on 127.0.0.1: the request it sends (method, URL, headers, JSON
// body), the answer's fields in variables and the call profile, and the failure branch on timeout, bad status,
// redirect, refused connection and non-JSON answers. Header secrets come from the environment and never reach
// the logs.
import test from "ava";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { ActionRegistry } from "../../ivr/actions.js";
import { ScriptEngine } from "../../ivr/script-engine.js";
import { parseScript } from "../../ivr/script-library.js";
import { SourceInvalidError, YamlSource } from "../../cti/config/yaml-source.js";
import { EventBus } from "../../cti/events/event-bus.js";
import { createLogger, silentLogger, type Logger } from "../../cti/log.js";
import type { CallFacts } from "../../ivr/ivr-channel.js";
import { MemoryChannel } from "./memory-channel.js";

const TOKEN = "s3cr3t-webhook-token-7f9a";
process.env.TEST_WEBHOOK_TOKEN = TOKEN;

const facts: CallFacts = { ANI: "+46 70 123", DNIS: "3000", CALL_ID: "call/1@host", CALL_MANAGER: "demo", SOURCE_ADDRESS: "127.0.0.1" };

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A local HTTP server; `answer` decides each response. Closed on teardown. */
async function server(t: { teardown(fn: () => void | Promise<void>): void }, answer: (req: Received, res: ServerResponse) => void) {
  const received: Received[] = [];
  const http = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const r = { method: req.method!, url: req.url!, headers: req.headers, body };
      received.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return { base: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, received };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

/** A webhook block (YAML lines given) followed by a record action that reports the variables named. */
function webhookScript(blockYaml: string, report: string[]) {
  const withArgs = report.map((v) => `${v}: "\${${v}}"`).join(", ");
  const yaml = `script: t
variables: { digits: "4711" }
start: w
blocks:
  w:
    type: webhook
${blockYaml.replace(/^/gm, "    ")}
    next: ok
    failure: failed
  ok:
    type: action
    action: test.record
    with: { branch: ok, ${withArgs} }
  failed:
    type: action
    action: test.record
    with: { branch: failure, ${withArgs} }
`;
  return parseScript(YamlSource.fromText("t.yaml", yaml), { actionNames: new Set(["test.record"]), promptExists: () => true });
}

async function run(script: ReturnType<typeof webhookScript>, logger: Logger = silentLogger()) {
  const recorded: Record<string, string>[] = [];
  const actions = new ActionRegistry().register("test.record", async (args) => {
    recorded.push({ ...args });
    return "ok";
  });
  const bus = new EventBus();
  const errors: string[] = [];
  bus.on("ivr.scriptError", (e) => errors.push(e.message));
  const result = await new ScriptEngine({ actions, logger, bus }).run(script, new MemoryChannel(), facts);
  return { recorded, result, errors };
}

test("POST sends the JSON body, secret header and encoded URL; answer fields go to variables and the profile", async (t) => {
  const { base, received } = await server(t, (_req, res) =>
    json(res, 200, { customer: { name: "Åsa Öberg", id: 4711, vip: true, tags: ["a"] }, items: [{ id: "x1" }] }),
  );
  const script = webhookScript(
    `url: "${base}/calls/\${CALL_ID}"
headers: { Authorization: "Bearer \${TEST_WEBHOOK_TOKEN}", X-Source: ctibridge }
query: { ani: "\${ANI}" }
body: { caller: "\${ANI}", entered: "\${digits}", fixed: 3, nested: { list: ["\${DNIS}", true, null] } }
into: { customer.name: name, customer.vip: vip, customer.tags: tags, items.0.id: item, customer.missing: missing }
intoProfile: { customer.id: Customer Number }
statusInto: status`,
    ["name", "vip", "tags", "item", "missing", "status", "PROFILE_CUSTOMER_NUMBER"],
  );
  const { recorded, result } = await run(script);
  t.is(received.length, 1);
  const req = received[0]!;
  t.is(req.method, "POST");
  t.is(req.url, "/calls/call%2F1%40host?ani=%2B46+70+123");
  t.is(req.headers.authorization, `Bearer ${TOKEN}`);
  t.is(req.headers["x-source"], "ctibridge");
  t.is(req.headers["content-type"], "application/json");
  t.deepEqual(JSON.parse(req.body), { caller: "+46 70 123", entered: "4711", fixed: 3, nested: { list: ["3000", true, null] } });
  t.deepEqual(recorded, [
    { branch: "ok", name: "Åsa Öberg", vip: "true", tags: '["a"]', item: "x1", missing: "", status: "200", PROFILE_CUSTOMER_NUMBER: "4711" },
  ]);
  t.is(result.profile.get("Customer Number"), "4711");
});

test("GET sends no body and takes the answer the same way", async (t) => {
  const { base, received } = await server(t, (_req, res) => json(res, 200, { open: "yes" }));
  const { recorded } = await run(webhookScript(`url: "${base}/status"\nmethod: GET\nquery: { n: "\${digits}" }\ninto: { open: open }`, ["open"]));
  t.like(received[0], { method: "GET", url: "/status?n=4711", body: "" });
  t.is(received[0]!.headers["content-type"], undefined);
  t.deepEqual(recorded, [{ branch: "ok", open: "yes" }]);
});

test("an empty 204 answer is a success with empty fields", async (t) => {
  const { base } = await server(t, (_req, res) => res.writeHead(204).end());
  const { recorded } = await run(webhookScript(`url: "${base}/x"\ninto: { a: a }\nstatusInto: status`, ["a", "status"]));
  t.deepEqual(recorded, [{ branch: "ok", a: "", status: "204" }]);
});

test("no answer within the timeout takes `failure` on time", async (t) => {
  const { base } = await server(t, () => undefined); // never answers
  const started = Date.now();
  const { recorded } = await run(webhookScript(`url: "${base}/slow"\ntimeout: 300ms\nstatusInto: status`, ["status"]));
  const elapsed = Date.now() - started;
  t.deepEqual(recorded, [{ branch: "failure", status: "" }]);
  t.true(elapsed >= 290 && elapsed < 2000, `took ${elapsed} ms`);
});

test("the default timeout is 5 seconds", (t) => {
  const script = webhookScript(`url: "http://127.0.0.1:1/x"`, []);
  t.like(script.blocks.get("w"), { type: "webhook", timeout: 5000, method: "POST" });
});

test("a status outside 2xx takes `failure` with the status", async (t) => {
  const { base } = await server(t, (_req, res) => json(res, 503, { error: "busy" }));
  const { recorded } = await run(webhookScript(`url: "${base}/x"\ninto: { error: err }\nstatusInto: status`, ["status", "err"]));
  t.deepEqual(recorded, [{ branch: "failure", status: "503", err: "" }]);
});

test("an answer that is not JSON takes `failure`", async (t) => {
  const { base } = await server(t, (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>oops</html>"));
  const { recorded } = await run(webhookScript(`url: "${base}/x"\nstatusInto: status`, ["status"]));
  t.deepEqual(recorded, [{ branch: "failure", status: "200" }]);
});

test("an answer larger than 1 MiB takes `failure`", async (t) => {
  const { base } = await server(t, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ blob: "x".repeat(1024 * 1024 + 10) }));
  });
  const { recorded } = await run(webhookScript(`url: "${base}/x"`, []));
  t.deepEqual(recorded, [{ branch: "failure" }]);
});

test("a redirect is not followed: `failure`, and the secret header goes nowhere else", async (t) => {
  const elsewhere = await server(t, (_req, res) => json(res, 200, {}));
  const { base } = await server(t, (_req, res) => res.writeHead(302, { location: `${elsewhere.base}/stolen` }).end());
  const { recorded } = await run(webhookScript(`url: "${base}/x"\nheaders: { Authorization: "Bearer \${TEST_WEBHOOK_TOKEN}" }\nstatusInto: status`, ["status"]));
  t.deepEqual(recorded, [{ branch: "failure", status: "302" }]);
  t.is(elsewhere.received.length, 0);
});

test("a refused connection takes `failure`", async (t) => {
  // Bind a port, then close it: nothing listens there any more.
  const { base } = await server(t, () => undefined);
  const port = Number(new URL(base).port);
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const free = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  t.not(free, port);
  const { recorded } = await run(webhookScript(`url: "http://127.0.0.1:${free}/x"\nstatusInto: status`, ["status"]));
  t.deepEqual(recorded, [{ branch: "failure", status: "" }]);
});

test("without a failure branch a failed webhook is a script error; no secret in the message or the logs", async (t) => {
  const { base } = await server(t, (_req, res) => json(res, 500, {}));
  const script = parseScript(
    YamlSource.fromText(
      "t.yaml",
      `script: t\nstart: w\nblocks:\n  w:\n    type: webhook\n    url: "${base}/hook"\n    headers: { Authorization: "Bearer \${TEST_WEBHOOK_TOKEN}" }\n    query: { pin: "\${digits}" }\n    body: { pin: "\${digits}" }\nvariables: { digits: "918273" }\n`,
    ),
    { actionNames: new Set(), promptExists: () => true },
  );
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => lines.push(chunk.toString()));
  const logger = createLogger({ level: "trace", destination: stream });
  const { result, errors } = await run(script, logger);
  await new Promise((r) => setImmediate(r));
  t.is(result.outcome, "error");
  t.is(errors[0], `webhook ${base}/hook failed: HTTP status 500`);
  const log = lines.join("");
  t.regex(log, /webhook failed/);
  t.regex(log, /"url":"http:\/\/127\.0\.0\.1:\d+\/hook"/, "the log names the endpoint");
  t.false(log.includes(TOKEN), "the header secret is not logged");
  t.false(log.includes("918273"), "caller data in the query string and body is not logged");
});

test("webhook blocks are checked at load, with lines", (t) => {
  delete process.env.TEST_WEBHOOK_UNSET;
  const yaml = `script: t
start: a
blocks:
  a:
    type: webhook
    url: "http://\${host}/x"
    next: nowhere
  b:
    type: webhook
    url: "https://crm.example.com/x"
    method: GET
    body: { a: 1 }
    headers: { "Bad Header": x, Authorization: "Bearer \${TEST_WEBHOOK_UNSET}", Host: evil }
  c:
    type: webhook
    url: "ftp://crm.example.com/x"
    intoProfile: { a: Priorty }
`;
  const error = t.throws(() => parseScript(YamlSource.fromText("t.yaml", yaml), { actionNames: new Set(), promptExists: () => true }), {
    instanceOf: SourceInvalidError,
  })!;
  const found = error.problems.map((p) => `${p.line}: ${p.reason}`);
  const has = (re: RegExp) => t.true(found.some((p) => re.test(p)), `${re} in\n${found.join("\n")}`);
  has(/^6: blocks\.a\.url: the url's host cannot be a template$/);
  has(/^12: blocks\.b\.body: a GET request has no body: use query$/);
  has(/^13: blocks\.b\.headers\.Bad Header: "Bad Header" is not a header name$/);
  has(/^13: blocks\.b\.headers\.Authorization: environment variable TEST_WEBHOOK_UNSET is not set$/);
  has(/^13: blocks\.b\.headers\.Host: the Host header is set by the bridge$/);
  has(/^16: blocks\.c\.url: the url must start with http:\/\/ or https:\/\/$/);
  has(/^17: blocks\.c\.intoProfile\.a: no call profile field "Priorty"/);
});
