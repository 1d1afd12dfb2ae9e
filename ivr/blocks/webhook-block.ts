// `webhook`: an HTTP request to an external application (a CRM, a ticket system) with a JSON body made from script
// variables; fields of the JSON answer go to variables and call profile fields. A timeout, a status outside 2xx,
// an unreachable host or an answer that is not JSON takes the `failure` branch.
//
//   tell-crm:
//     type: webhook
//     url: https://crm.example.com/calls/${CALL_ID}     # host fixed; filled values are percent-encoded
//     method: POST                                      # or GET (default POST)
//     headers: { Authorization: "Bearer ${CRM_TOKEN}" } # ${…} here are environment variables, read at load
//     query: { ani: "${ANI}" }                          # added to the URL's query string
//     body: { caller: "${ANI}", entered: "${digits}" }  # JSON; strings are templates (POST only)
//     timeout: 5s                                       # default 5s
//     into: { customer.name: customerName }             # answer's field (dotted path) → variable
//     intoProfile: { customer.id: Customer Number }
//     statusInto: httpStatus                            # the HTTP status, "" when there was none
//     next: greet
//     failure: sorry                                    # without it a failure ends the script
//
// Headers are secrets: they come from the environment, and neither they nor the query string reach the logs.
// Redirects are not followed (a redirect could carry the Authorization header elsewhere): a 3xx is a failure.
import { z } from "zod";
import { durationMs } from "../../cti/config/duration.js";
import { secretString } from "../../cti/config/secret-string.js";
import { fillTemplate, placeholdersIn } from "../template.js";
import { valueAsText, type BlockRun } from "./block-run.js";
import { profileFieldKey } from "./profile-block.js";
import { blockId, templateValue, variableName } from "./script-fields.js";

export const WEBHOOK_DEFAULT_TIMEOUT_MS = 5000;
/** Answers longer than this are a failure: a script needs a few fields, not a download. */
export const WEBHOOK_MAX_ANSWER_BYTES = 1024 * 1024;

type JsonTemplate = string | number | boolean | null | JsonTemplate[] | { [key: string]: JsonTemplate };
const jsonTemplate: z.ZodType<JsonTemplate> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonTemplate), z.record(z.string(), jsonTemplate)]),
);

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** Headers fetch computes itself, or that would make the request something else. */
const REFUSED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "expect", "upgrade", "te", "trailer", "keep-alive"]);
const answerPath = z.string().regex(/^[^.]+(\.[^.]+)*$/, "a dotted path into the answer, e.g. customer.name or items.0.id");

const urlTemplate = z.string().superRefine((url, ctx) => {
  // The scheme and host must be written out: a variable there would let a caller's input choose the server.
  const m = /^(https?):\/\/([^/?#]*)/.exec(url);
  if (!m) return ctx.addIssue({ code: "custom", message: "the url must start with http:// or https://" });
  if (m[2]!.includes("${")) return ctx.addIssue({ code: "custom", message: "the url's host cannot be a template" });
  try {
    new URL(url.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g, "x"));
  } catch {
    ctx.addIssue({ code: "custom", message: "not a valid URL" });
  }
});

export const webhookBlockSchema = z
  .object({
    type: z.literal("webhook"),
    url: urlTemplate,
    method: z.enum(["POST", "GET"]).default("POST"),
    /** Header values may use ${ENV_VAR}: environment variables, like the configuration's secrets. */
    headers: z.record(z.string(), secretString()).default({}),
    query: z.record(z.string().min(1), templateValue).default({}),
    body: jsonTemplate.optional(),
    timeout: durationMs.default(WEBHOOK_DEFAULT_TIMEOUT_MS),
    into: z.record(answerPath, variableName).default({}),
    intoProfile: z.record(answerPath, profileFieldKey).default({}),
    statusInto: variableName.optional(),
    next: blockId.optional(),
    failure: blockId.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.method === "GET" && b.body !== undefined) ctx.addIssue({ code: "custom", path: ["body"], message: "a GET request has no body: use query" });
    if (b.timeout < 1) ctx.addIssue({ code: "custom", path: ["timeout"], message: "the timeout must be at least 1ms" });
    for (const name of Object.keys(b.headers)) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: "custom", path: ["headers", name], message: `"${name}" is not a header name` });
      else if (REFUSED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: "custom", path: ["headers", name], message: `the ${name} header is set by the bridge` });
    }
  });

export type WebhookBlock = z.output<typeof webhookBlockSchema>;

export function webhookBlockTargets(block: WebhookBlock): [string, string | undefined][] {
  return [["next", block.next], ["failure", block.failure]];
}

type Failure = "timeout" | "unreachable" | "status" | "invalidJson" | "tooLarge";

class WebhookFailure extends Error {
  constructor(readonly reason: Failure, message: string) {
    super(message);
  }
}

export async function runWebhookBlock(block: WebhookBlock, run: BlockRun): Promise<string | undefined> {
  const url = buildUrl(block, run.lookup);
  // Origin and path only: the query string carries caller data and the headers secrets.
  const where = `${url.origin}${url.pathname}`;
  const log = run.logger.child({ callId: run.callId, script: run.script, block: run.blockId, url: where, method: block.method });
  const started = performance.now();
  let status: number | undefined;
  try {
    const headers: Record<string, string> = { accept: "application/json" };
    if (block.body !== undefined) headers["content-type"] = "application/json";
    Object.assign(headers, block.headers);
    let response: Response;
    const signal = AbortSignal.timeout(block.timeout);
    try {
      response = await fetch(url, {
        method: block.method,
        headers,
        body: block.body === undefined ? undefined : JSON.stringify(fillJson(block.body, run.lookup)),
        redirect: "manual",
        signal,
      });
      status = response.status;
      if (status < 200 || status > 299) {
        await response.body?.cancel().catch(() => undefined);
        throw new WebhookFailure("status", `HTTP status ${status}`);
      }
      const answer = parseAnswer(await readLimited(response, WEBHOOK_MAX_ANSWER_BYTES));
      for (const [path, variable] of Object.entries(block.into)) run.setVariable(variable, valueAsText(pick(answer, path)));
      for (const [path, field] of Object.entries(block.intoProfile)) run.profile.set(field, valueAsText(pick(answer, path)));
    } catch (e) {
      if (e instanceof WebhookFailure) throw e;
      if (signal.aborted) throw new WebhookFailure("timeout", `no answer within ${block.timeout} ms`);
      throw new WebhookFailure("unreachable", describeFetchError(e));
    }
    if (block.statusInto) run.setVariable(block.statusInto, String(status));
    log.debug({ status, ms: Math.round(performance.now() - started) }, "webhook answered");
    return block.next;
  } catch (e) {
    const failure = e as WebhookFailure;
    if (block.statusInto) run.setVariable(block.statusInto, status === undefined ? "" : String(status));
    log.warn({ reason: failure.reason, status, err: failure.message, ms: Math.round(performance.now() - started) }, "webhook failed");
    if (block.failure !== undefined) return block.failure;
    throw new Error(`webhook ${where} failed: ${failure.message}`);
  }
}

/** The URL with template values percent-encoded, plus the query parameters. */
function buildUrl(block: WebhookBlock, lookup: (name: string) => string | undefined): URL {
  const url = new URL(fillTemplate(block.url, (name) => encodeURIComponent(lookup(name) ?? "")));
  for (const [name, value] of Object.entries(block.query)) url.searchParams.append(name, fillTemplate(value, lookup));
  return url;
}

function fillJson(template: JsonTemplate, lookup: (name: string) => string | undefined): JsonTemplate {
  if (typeof template === "string") return placeholdersIn(template).length > 0 ? fillTemplate(template, lookup) : template;
  if (Array.isArray(template)) return template.map((t) => fillJson(t, lookup));
  if (template !== null && typeof template === "object") {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillJson(v, lookup)]));
  }
  return template;
}

async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new WebhookFailure("tooLarge", `the answer is larger than ${limit} bytes`);
  }
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new WebhookFailure("tooLarge", `the answer is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** An empty answer (204, say) is an empty object; anything else must be JSON. */
function parseAnswer(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new WebhookFailure("invalidJson", "the answer is not JSON");
  }
}

function pick(answer: unknown, path: string): unknown {
  let node = answer;
  for (const step of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

/** fetch's TypeError says only "fetch failed"; the cause says why (ECONNREFUSED, a TLS error, …). */
function describeFetchError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
