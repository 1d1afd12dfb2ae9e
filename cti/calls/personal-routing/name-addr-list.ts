// The shape Diversion (RFC 5806) and History-Info (RFC 7044) share: a comma-separated list of name-addr entries,
// each followed by ;param=value pairs. Commas inside a quoted display name or inside <…> do not separate entries,
// and a header may arrive as several lines (each already a list), so every line is split the same way.
//
//   "Bob" <sip:4711@pbx.example.com;user=phone?Reason=SIP%3Bcause%3D302>;index=1.1;mp=1 , <tel:+4940123>;reason=busy
//    └ display ┘ └──────────────────── uri ──────────────────────────────┘ └─ params ─┘

export interface NameAddrEntry {
  /** The URI between < and > (or the bare URI when the entry has no angle brackets). */
  uri: string;
  /** Header parameters after the URI, names lower-cased; a parameter without a value maps to "". */
  params: Map<string, string>;
}

/** Splits header lines into entries; malformed pieces (no URI) are left out rather than failing the call. */
export function parseNameAddrList(lines: readonly string[]): NameAddrEntry[] {
  const entries: NameAddrEntry[] = [];
  for (const line of lines) {
    for (const piece of splitOutside(line, ",")) {
      const entry = parseEntry(piece);
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

/**
 * The user part of a sip:, sips: or tel: URI, without user parameters (";phone-context=…") and visual separators
 * ("-", ".", "(", ")" of RFC 3966), percent-decoded; undefined when the URI has none.
 */
export function uriUser(uri: string): string | undefined {
  const trimmed = uri.trim();
  const scheme = /^(sips?|tel):/i.exec(trimmed);
  if (!scheme) return undefined;
  let rest = trimmed.slice(scheme[0].length);
  if (scheme[1]!.toLowerCase() === "tel") {
    rest = rest.split(/[;?]/, 1)[0]!;
  } else {
    const at = rest.indexOf("@");
    if (at < 0) return undefined;
    rest = rest.slice(0, at).split(";", 1)[0]!.split(":", 1)[0]!; // user params, then a password
  }
  let user: string;
  try {
    user = decodeURIComponent(rest);
  } catch {
    user = rest;
  }
  user = user.replace(/[-.()]/g, "");
  return user === "" ? undefined : user;
}

function parseEntry(piece: string): NameAddrEntry | undefined {
  const text = piece.trim();
  if (text === "") return undefined;
  let uri: string;
  let after: string;
  const open = indexOutsideQuotes(text, "<");
  if (open >= 0) {
    const close = text.indexOf(">", open);
    if (close < 0) return undefined;
    uri = text.slice(open + 1, close).trim();
    after = text.slice(close + 1);
  } else {
    // addr-spec without brackets: the URI ends at the first ';' (its own parameters become header parameters,
    // as RFC 3261 §20 says for such values).
    const semi = text.indexOf(";");
    uri = (semi < 0 ? text : text.slice(0, semi)).trim();
    after = semi < 0 ? "" : text.slice(semi);
  }
  if (uri === "") return undefined;
  const params = new Map<string, string>();
  for (const raw of splitOutside(after, ";")) {
    const p = raw.trim();
    if (p === "") continue;
    const eq = p.indexOf("=");
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? "" : unquote(p.slice(eq + 1).trim());
    if (name !== "") params.set(name, value);
  }
  return { uri, params };
}

/** Splits at `separator` where it is neither inside "quotes" (with \-escapes) nor inside <angle brackets>. */
function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "<") angle++;
    else if (c === ">" && angle > 0) angle--;
    else if (c === separator && angle === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function indexOutsideQuotes(text: string, char: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === char) return i;
  }
  return -1;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value;
}
