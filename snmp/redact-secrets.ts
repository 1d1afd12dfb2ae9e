// Secrets never reach a trap (DESIGN principles). Event payloads carry no PINs or communities by construction;
// these filters are the second line for free text (script error messages, reasons) and recording URIs.

const SECRET_ASSIGNMENT = /\b(password|passwd|pwd|pin|secret|token|community|authkey|privkey|apikey|api_key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s;,&]+)/gi;

/** Replaces `password=…`, `pin: …`, `token=…` and the like in free text with `[redacted]`. */
export function redactText(text: string): string {
  return text.replace(SECRET_ASSIGNMENT, (_m, key: string, sep: string) => `${key}${sep}[redacted]`);
}

/** A SIP/HTTP URI without user info (sip:user:pass@host → sip:host) and with token-like parameters removed. */
export function redactUri(uri: string): string {
  let out = uri.replace(/^([a-z][a-z0-9+.-]*:(?:\/\/)?)[^@/;?]*@/i, "$1");
  out = out.replace(/([;?&])(token|key|secret|password|auth|sig|signature)=[^;?&>]*/gi, "$1$2=[redacted]");
  return out;
}
