// A small checker for Asterisk's configuration format, for the generated pjsip.conf and extensions.conf pieces
// (no Asterisk can be installed on the build machines). It parses what the generator writes and reports what
// Asterisk would choke on or silently misread: lines outside a section, an unescaped ';' (Asterisk cuts the line
// there), ';--' (opens a block comment), unbalanced (), ${} and $[], `same =>` without an `exten =>`, an extension
// not starting at priority 1, unknown applications or pjsip options, and references to sections, labels and
// objects that do not exist.

export interface Priority {
  exten: string;
  label: string | undefined;
  app: string;
  args: string;
  line: number;
}

export interface Section {
  name: string;
  line: number;
  /** pjsip: `key = value` in order. */
  options: { key: string; value: string; line: number }[];
  /** extensions: priorities by extension, in order. */
  extensions: Map<string, Priority[]>;
  includes: string[];
}

export interface ParsedConf {
  sections: Section[];
  errors: string[];
}

/** Dialplan applications the generator may use (real Asterisk 22 applications). */
const APPLICATIONS = new Set(["Dial", "Hangup", "Goto", "GotoIf", "Set", "Return", "Gosub"]);

/** pjsip.conf options by object type (real Asterisk 22 option names). */
const PJSIP_OPTIONS: Record<string, Set<string>> = {
  endpoint: new Set(["type", "context", "aors", "allow", "disallow", "dtmf_mode", "direct_media", "trust_id_inbound", "trust_id_outbound", "send_pai", "timers", "transport"]),
  aor: new Set(["type", "contact", "qualify_frequency", "qualify_timeout", "max_contacts"]),
  identify: new Set(["type", "endpoint", "match", "match_header"]),
};
const YES_NO = new Set(["direct_media", "trust_id_inbound", "trust_id_outbound", "send_pai"]);

/** Checks that (), ${…} and $[…] nest properly; a backslash escapes the next character. */
export function delimiterError(text: string): string | undefined {
  const stack: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "$" && (text[i + 1] === "{" || text[i + 1] === "[")) {
      stack.push(text[i + 1] === "{" ? "}" : "]");
      i++;
    } else if (c === "(") {
      stack.push(")");
    } else if (c === ")" || c === "}" || c === "]") {
      if (c === "]" && stack[stack.length - 1] !== "]") continue; // a literal ']' outside $[…]
      const expected = stack.pop();
      if (expected !== c) return `unbalanced '${c}' at column ${i + 1}`;
    }
  }
  return stack.length > 0 ? `'${stack[stack.length - 1]}' missing` : undefined;
}

/** A ';' not escaped as '\;' starts a comment in Asterisk's files. */
function hasUnescapedSemicolon(text: string): boolean {
  return /(^|[^\\]);/.test(text);
}

export function parseAsteriskConf(text: string, kind: "pjsip" | "extensions"): ParsedConf {
  const sections: Section[] = [];
  const errors: string[] = [];
  const error = (line: number, message: string) => errors.push(`${kind} line ${line}: ${message}`);
  if (text.includes("\r")) errors.push(`${kind}: CR characters (Asterisk's files use LF line endings)`);
  if (text.includes("\t")) errors.push(`${kind}: tab characters`);
  if (!text.endsWith("\n")) errors.push(`${kind}: no newline at the end`);
  let current: Section | undefined;
  let lastExten: string | undefined;

  text.split("\n").forEach((raw, index) => {
    const n = index + 1;
    if (raw.includes(";--")) error(n, "';--' opens a block comment");
    if (raw !== raw.trimEnd()) error(n, "trailing whitespace");
    const line = raw.trim();
    if (line === "" || line.startsWith(";")) return;
    const section = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line);
    if (section) {
      current = { name: section[1]!, line: n, options: [], extensions: new Map(), includes: [] };
      sections.push(current);
      lastExten = undefined;
      return;
    }
    if (!current) return error(n, `outside any section: ${line}`);
    if (hasUnescapedSemicolon(line)) error(n, "unescaped ';' cuts the line");

    if (kind === "pjsip") {
      const option = /^([a-z_0-9]+) = (\S.*)$/.exec(line);
      if (!option) return error(n, `not "key = value": ${line}`);
      current.options.push({ key: option[1]!, value: option[2]!, line: n });
      return;
    }

    const include = /^include => ([A-Za-z0-9_.-]+)$/.exec(line);
    if (include) {
      current.includes.push(include[1]!);
      return;
    }
    const exten = /^exten => ([^,\s]+),(\d+)(?:\(([A-Za-z0-9_]+)\))?,([A-Za-z]+)\((.*)\)$/.exec(line);
    const same = /^same => n(?:\(([A-Za-z0-9_]+)\))?,([A-Za-z]+)\((.*)\)$/.exec(line);
    let priority: Priority;
    if (exten) {
      const name = exten[1]!;
      if (exten[2] !== "1") error(n, `extension ${name} starts at priority ${exten[2]}, not 1`);
      if (current.extensions.has(name)) error(n, `extension ${name} defined twice in [${current.name}]`);
      current.extensions.set(name, []);
      lastExten = name;
      priority = { exten: name, label: exten[3], app: exten[4]!, args: exten[5]!, line: n };
    } else if (same) {
      if (!lastExten) return error(n, "'same =>' without an 'exten =>' before it");
      priority = { exten: lastExten, label: same[1], app: same[2]!, args: same[3]!, line: n };
    } else {
      return error(n, `not a dialplan line: ${line}`);
    }
    if (!APPLICATIONS.has(priority.app)) error(n, `unknown application ${priority.app}`);
    const unbalanced = delimiterError(`${priority.app}(${priority.args})`);
    if (unbalanced) error(n, unbalanced);
    current.extensions.get(priority.exten)!.push(priority);
  });

  if (kind === "pjsip") checkPjsip(sections, error);
  else checkDialplan(sections, error);
  return { sections, errors };
}

function checkPjsip(sections: Section[], error: (line: number, message: string) => void): void {
  const objects = new Map<string, Set<string>>(); // type → names
  for (const s of sections) {
    const type = s.options[0]?.key === "type" ? s.options[0].value : undefined;
    if (!type || !PJSIP_OPTIONS[type]) {
      error(s.line, `[${s.name}] must start with type = endpoint|aor|identify`);
      continue;
    }
    if (objects.get(type)?.has(s.name)) error(s.line, `two ${type} objects named ${s.name}`);
    objects.set(type, (objects.get(type) ?? new Set()).add(s.name));
    const seen = new Set<string>();
    for (const o of s.options) {
      if (!PJSIP_OPTIONS[type]!.has(o.key)) error(o.line, `${o.key} is not an option of a pjsip ${type}`);
      if (seen.has(o.key)) error(o.line, `${o.key} set twice in [${s.name}]`);
      seen.add(o.key);
      if (YES_NO.has(o.key) && !["yes", "no"].includes(o.value)) error(o.line, `${o.key} must be yes or no`);
    }
  }
  for (const s of sections) {
    for (const o of s.options) {
      if (o.key === "aors" && !objects.get("aor")?.has(o.value)) error(o.line, `aor ${o.value} does not exist`);
      if (o.key === "endpoint" && !objects.get("endpoint")?.has(o.value)) error(o.line, `endpoint ${o.value} does not exist`);
    }
  }
}

/** Contexts a priority sends the call to: Goto(ctx,ext,prio) and Dial's b(ctx^ext^prio(…)) pre-dial handlers. */
export function referencedContexts(p: Priority): { context: string; exten: string }[] {
  const found: { context: string; exten: string }[] = [];
  if (p.app === "Goto") {
    const [context, exten] = p.args.split(",");
    if (context && exten) found.push({ context, exten: exten === "${EXTEN}" ? p.exten : exten });
  }
  for (const m of p.args.matchAll(/\bb\(([^^()]+)\^([^^()]+)\^/g)) found.push({ context: m[1]!, exten: m[2]! });
  return found;
}

function checkDialplan(sections: Section[], error: (line: number, message: string) => void): void {
  const byName = new Map(sections.map((s) => [s.name, s]));
  for (const s of sections) {
    for (const include of s.includes) if (!byName.has(include)) error(s.line, `[${s.name}] includes missing context ${include}`);
    for (const priorities of s.extensions.values()) {
      const labels = new Set(priorities.map((p) => p.label).filter(Boolean));
      for (const p of priorities) {
        for (const ref of referencedContexts(p)) {
          const target = byName.get(ref.context);
          if (!target) error(p.line, `context ${ref.context} does not exist`);
          else if (!target.extensions.has(ref.exten)) error(p.line, `extension ${ref.exten} does not exist in [${ref.context}]`);
        }
        if (p.app === "GotoIf") {
          const targets = p.args.slice(p.args.lastIndexOf("?") + 1).split(":").filter(Boolean);
          for (const label of targets) if (!labels.has(label)) error(p.line, `label ${label} does not exist in extension ${p.exten}`);
        }
      }
      if (priorities[priorities.length - 1]?.app !== "Hangup" && priorities[priorities.length - 1]?.app !== "Return" && priorities[priorities.length - 1]?.app !== "Goto") {
        error(priorities[0]?.line ?? s.line, `extension ${priorities[0]?.exten} does not end with Hangup, Return or Goto`);
      }
    }
  }
}
