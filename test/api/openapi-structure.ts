// A structural check of an OpenAPI 3.0 document, after the specification's "Fixed Fields" tables: returns every
// problem found (empty = valid). Covers what a generator can get wrong: versions, paths and their templates,
// operations, parameters, request bodies, responses, $refs, security, and JSON Schema keywords OpenAPI 3.0 lacks.
type Json = Record<string, unknown>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const PATH_ITEM_KEYS = new Set([...METHODS, "$ref", "summary", "description", "servers", "parameters"]);
const OPERATION_KEYS = new Set(["tags", "summary", "description", "externalDocs", "operationId", "parameters", "requestBody", "responses", "callbacks", "deprecated", "security", "servers"]);
const PARAMETER_IN = new Set(["query", "header", "path", "cookie"]);
/** JSON Schema keywords that are not part of OpenAPI 3.0's Schema Object. */
const NOT_IN_OAS30_SCHEMA = ["$id", "$schema", "const", "examples", "if", "then", "else", "dependentRequired", "prefixItems", "$defs"];

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function openApi30Problems(doc: unknown): string[] {
  const problems: string[] = [];
  const bad = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (!isObject(doc)) return ["document: not an object"];
  if (typeof doc.openapi !== "string" || !/^3\.0\.\d+$/.test(doc.openapi)) bad("openapi", `not 3.0.x: ${String(doc.openapi)}`);
  if (!isObject(doc.info) || typeof doc.info.title !== "string" || typeof doc.info.version !== "string") bad("info", "needs title and version strings");
  if (!isObject(doc.paths)) return [...problems, "paths: missing"];
  const components = isObject(doc.components) ? doc.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  const securitySchemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const declaredTags = new Set(Array.isArray(doc.tags) ? doc.tags.map((tag) => (tag as Json).name) : []);

  const checkSecurity = (where: string, security: unknown) => {
    if (security === undefined) return;
    if (!Array.isArray(security)) return bad(where, "security must be an array");
    for (const requirement of security) {
      if (!isObject(requirement)) bad(where, "security requirement must be an object");
      else for (const name of Object.keys(requirement)) if (!(name in securitySchemes)) bad(where, `unknown security scheme ${name}`);
    }
  };
  checkSecurity("security", doc.security);

  const walkSchema = (where: string, schema: unknown): void => {
    if (Array.isArray(schema)) return schema.forEach((s, i) => walkSchema(`${where}[${i}]`, s));
    if (!isObject(schema)) return;
    for (const key of NOT_IN_OAS30_SCHEMA) if (key in schema) bad(where, `"${key}" is not an OpenAPI 3.0 schema keyword`);
    if (schema.type === "null" || (Array.isArray(schema.type))) bad(where, `type ${JSON.stringify(schema.type)} is not OpenAPI 3.0`);
    if (typeof schema.$ref === "string") {
      const m = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref);
      if (!m || !(m[1]! in schemas)) bad(where, `unresolved $ref ${schema.$ref}`);
    }
    for (const [key, value] of Object.entries(schema)) if (key !== "enum" && key !== "example" && key !== "default") walkSchema(`${where}.${key}`, value);
  };
  for (const [name, schema] of Object.entries(schemas)) walkSchema(`components.schemas.${name}`, schema);

  const checkContent = (where: string, content: unknown) => {
    if (!isObject(content) || Object.keys(content).length === 0) return bad(where, "content needs a media type");
    for (const [type, media] of Object.entries(content)) {
      if (!/^[\w*.+-]+\/[\w*.+-]+$/.test(type)) bad(where, `bad media type ${type}`);
      if (!isObject(media) || !isObject(media.schema)) bad(`${where}.${type}`, "needs a schema");
      else walkSchema(`${where}.${type}.schema`, media.schema);
    }
  };

  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith("/")) bad(path, "path must start with /");
    if (!isObject(item)) {
      bad(path, "path item must be an object");
      continue;
    }
    for (const key of Object.keys(item)) if (!PATH_ITEM_KEYS.has(key) && !key.startsWith("x-")) bad(path, `unknown path item field ${key}`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!isObject(op)) {
        bad(where, "operation must be an object");
        continue;
      }
      for (const key of Object.keys(op)) if (!OPERATION_KEYS.has(key) && !key.startsWith("x-")) bad(where, `unknown operation field ${key}`);
      for (const tag of (op.tags as unknown[] | undefined) ?? []) if (!declaredTags.has(tag)) bad(where, `tag ${String(tag)} is not declared`);
      checkSecurity(where, op.security);
      const params = (op.parameters as unknown[] | undefined) ?? [];
      const seen = new Set<string>();
      for (const p of params) {
        if (!isObject(p) || typeof p.name !== "string" || !PARAMETER_IN.has(p.in as string)) {
          bad(where, `bad parameter ${JSON.stringify(p)}`);
          continue;
        }
        if (seen.has(`${p.in}:${p.name}`)) bad(where, `duplicate parameter ${p.name}`);
        seen.add(`${p.in}:${p.name}`);
        if (p.in === "path" && (p.required !== true || !templated.includes(p.name))) bad(where, `path parameter ${p.name} must be required and in the path`);
        if (!isObject(p.schema) && !isObject(p.content)) bad(where, `parameter ${p.name} needs a schema`);
        walkSchema(`${where} parameter ${p.name}`, p.schema);
      }
      for (const name of templated) if (!seen.has(`path:${name}`)) bad(where, `path template {${name}} has no parameter`);
      if (op.requestBody !== undefined) {
        if (!isObject(op.requestBody)) bad(where, "requestBody must be an object");
        else checkContent(`${where} requestBody`, op.requestBody.content);
      }
      if (!isObject(op.responses) || Object.keys(op.responses).length === 0) {
        bad(where, "needs responses");
        continue;
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (status !== "default" && !/^[1-5](\d\d|XX)$/.test(status)) bad(where, `bad response status ${status}`);
        if (!isObject(response) || typeof response.description !== "string") bad(`${where} ${status}`, "response needs a description");
        else if (response.content !== undefined) checkContent(`${where} ${status}`, response.content);
      }
    }
  }
  return problems;
}
