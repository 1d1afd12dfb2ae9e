import test from "ava";
import { allErrorDefinitions } from "../../cti/errors.js";
import { startApi } from "./api-fixture.js";
import { openApi30Problems } from "./openapi-structure.js";

type Operation = { responses: Record<string, { content?: { "application/json"?: { schema?: ErrorSchema } } }>; security?: unknown[]; requestBody?: { required?: boolean } };
type ErrorSchema = { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } };
type Doc = { paths: Record<string, Record<string, Operation>>; openapi: string };

const declaredCodes = (op: Operation, status: number): string[] =>
  op.responses[String(status)]?.content?.["application/json"]?.schema?.properties?.error?.properties?.code?.enum ?? [];

async function document(t: Parameters<typeof startApi>[0]) {
  const f = await startApi(t);
  const r = await f.request<Doc>("GET", "/openapi.json");
  t.is(r.status, 200);
  return { f, doc: r.body };
}

test("GET /openapi.json is a structurally valid OpenAPI 3.0 document", async (t) => {
  const { doc } = await document(t);
  t.regex(doc.openapi, /^3\.0\./);
  t.deepEqual(openApi30Problems(doc), []);
});

test("the structure check finds real mistakes (it is not a rubber stamp)", (t) => {
  const broken = {
    openapi: "3.1.0",
    info: { title: "x" },
    paths: {
      "/a/{id}": { get: { parameters: [{ name: "other", in: "path", required: true, schema: { type: "string" } }], responses: { 200: {} } } },
      "/b": { post: { requestBody: { content: {} }, responses: {}, security: [{ nope: [] }] } },
      "/c": { get: { responses: { 200: { description: "x", content: { "application/json": { schema: { $ref: "#/components/schemas/Missing", type: "null" } } } } } } },
    },
  };
  const problems = openApi30Problems(broken);
  for (const expected of [/openapi: not 3\.0/, /info: needs/, /path parameter other/, /\{id\} has no parameter/, /response needs a description/, /content needs a media type/, /needs responses/, /unknown security scheme nope/, /unresolved \$ref/, /type "null"/]) {
    t.true(problems.some((p) => expected.test(p)), `${expected} in ${JSON.stringify(problems)}`);
  }
});

test("the document lists every route the server has, and nothing else", async (t) => {
  const { f, doc } = await document(t);
  const served = f.api.routes.map((r) => r.replace(/:(\w+)/g, "{$1}")).sort();
  const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)).sort();
  t.deepEqual(documented, served);
  t.true(served.length >= 13, served.join(", "));
  for (const route of ["GET /calls/{callId}", "GET /service-groups/{id}", "POST /agents/{logonId}/logon", "GET /events", "GET /health", "GET /openapi.json"]) {
    t.true(served.includes(route), route);
  }
});

test("every error code a route declares exists in cti/errors.ts, under its HTTP status", async (t) => {
  const { doc } = await document(t);
  const registry = new Map(allErrorDefinitions().map((d) => [d.code, d.httpStatus]));
  let declared = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      for (const status of Object.keys(op.responses).map(Number).filter((s) => s >= 400)) {
        const codes = declaredCodes(op, status);
        t.true(codes.length > 0, `${method} ${path} ${status} names its codes`);
        for (const code of codes) {
          declared++;
          t.is(registry.get(code), status, `${method} ${path} declares ${code} under ${status}`);
        }
      }
    }
  }
  t.true(declared > 40);
});

test("routes declare the errors they answer, and the auth and body rules are documented", async (t) => {
  const { doc } = await document(t);
  const op = (method: string, path: string) => doc.paths[path]![method]!;
  t.deepEqual(declaredCodes(op("get", "/calls/{callId}"), 404), ["CTI_ERR_CALL_NOT_FOUND"]);
  t.deepEqual(declaredCodes(op("get", "/service-groups/{id}"), 404), ["CTI_ERR_SERVICE_GROUP_UNKNOWN"]);
  const logon = op("post", "/agents/{logonId}/logon");
  t.deepEqual(declaredCodes(logon, 404).sort(), ["CTI_ERR_CALL_MANAGER_UNKNOWN", "CTI_ERR_SITE_UNKNOWN", "CTI_ERR_USER_NOT_FOUND"]);
  t.deepEqual(declaredCodes(logon, 423), ["CTI_ERR_USER_LOCKED"]);
  t.is(logon.requestBody?.required, true);
  t.is(op("post", "/agents/{logonId}/notready").requestBody?.required, false, "not ready works without a body");
  t.deepEqual(declaredCodes(op("post", "/agents/{logonId}/ready"), 409).sort(), ["CTI_ERR_AGENT_NOT_LOGGED_ON", "CTI_ERR_AGENT_STATE"]);
  t.deepEqual(op("get", "/health").security, [], "/health needs no token");
  t.is(op("get", "/health").responses["401"], undefined);
  for (const [path, item] of Object.entries(doc.paths)) {
    if (path !== "/health") t.deepEqual(declaredCodes(Object.values(item)[0]!, 401), ["CTI_ERR_UNAUTHORIZED"], path);
  }
});

test("the codes real error answers carry are the ones the document declares for that route", async (t) => {
  const { f, doc } = await document(t);
  await f.addUser("1001");
  const cases: [string, string, string, unknown?][] = [
    ["GET", "/calls/none", "/calls/{callId}"],
    ["GET", "/service-groups/none", "/service-groups/{id}"],
    ["GET", "/agents/1001", "/agents/{logonId}"],
    ["POST", "/agents/9999/logon", "/agents/{logonId}/logon", { extension: "3001" }],
    ["POST", "/agents/1001/logon", "/agents/{logonId}/logon", { extension: "3001", site: "west" }],
    ["POST", "/agents/1001/logon", "/agents/{logonId}/logon", { extension: "" }],
    ["POST", "/agents/1001/logoff", "/agents/{logonId}/logoff"],
    ["POST", "/agents/1001/notready", "/agents/{logonId}/notready", { reason: 5 }],
    ["GET", "/events", "/events"],
  ];
  for (const [method, url, path, body] of cases) {
    const r = await f.request<{ error: { code: string } }>(method, url, body === undefined ? {} : { body });
    const declared = declaredCodes(doc.paths[path]![method.toLowerCase()]!, r.status);
    t.true(declared.includes(r.body.error.code), `${method} ${url} answered ${r.status} ${r.body.error.code}; declared: ${declared.join(", ")}`);
  }
});
