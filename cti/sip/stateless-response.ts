// Responses the transport sends on its own, before SIP.js sees the request (400 for a malformed request,
// 403 for a peer that is not allowed). Built from the scanned headers; RFC 3261 8.2.6.2 copies Via, From,
// Call-ID, CSeq and To (adding a tag).
import { randomBytes } from "node:crypto";
import { stampVia, type ScannedMessage } from "./sip-message-scan.js";

const TO_TAG = /;\s*tag=/i;

/** The response text; the top Via carries received/rport of `source` so it can be routed like any response. */
export function statelessResponse(
  request: ScannedMessage,
  statusCode: number,
  reason: string,
  source: { address: string; port: number },
): string {
  let out = `SIP/2.0 ${statusCode} ${reason}\r\n`;
  request.vias.forEach((line, i) => {
    if (i === 0 && request.topVia !== undefined) {
      const comma = line.indexOf(",");
      line = stampVia(request.topVia, source.address, source.port) + (comma < 0 ? "" : line.slice(comma));
    }
    out += `Via: ${line}\r\n`;
  });
  if (request.from !== undefined) out += `From: ${request.from}\r\n`;
  if (request.to !== undefined) out += `To: ${request.to}${TO_TAG.test(request.to) ? "" : `;tag=${randomBytes(6).toString("hex")}`}\r\n`;
  if (request.callId !== undefined) out += `Call-ID: ${request.callId}\r\n`;
  if (request.cseq !== undefined) out += `CSeq: ${request.cseq}\r\n`;
  out += "Server: ctibridge\r\nContent-Length: 0\r\n\r\n";
  return out;
}
