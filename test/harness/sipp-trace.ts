// Parses SIPp's -trace_msg file: blocks of "----- <date> <time>" / "UDP message sent (N bytes):" / the message.

export interface SippTracedMessage {
  readonly direction: "sent" | "received";
  readonly transport: string;
  /** The SIP message text (LF line ends). */
  readonly text: string;
  /** Request method, or undefined for a response. */
  readonly method: string | undefined;
  /** Response status, or undefined for a request. */
  readonly status: number | undefined;
  /** CSeq method (for responses: the request they answer). */
  readonly cseqMethod: string | undefined;
  readonly callId: string | undefined;
}

const SEPARATOR = /^-{20,} \S+ \S+\s*$/m;

export function parseSippTrace(trace: string): SippTracedMessage[] {
  const out: SippTracedMessage[] = [];
  for (const block of trace.split(SEPARATOR)) {
    const head = /^\s*(\S+) message (sent|received)[^\n]*\n\n?/.exec(block);
    if (!head) continue;
    const text = block.slice(head[0].length).replace(/\r\n/g, "\n").trim();
    const first = text.split("\n", 1)[0] ?? "";
    const resp = /^SIP\/2\.0 (\d{3})/.exec(first);
    const req = /^([A-Z]+) \S+ SIP\/2\.0/.exec(first);
    out.push({
      direction: head[2] as "sent" | "received",
      transport: head[1] ?? "",
      text,
      method: req?.[1],
      status: resp ? Number(resp[1]) : undefined,
      cseqMethod: /^CSeq:\s*\d+\s+([A-Z]+)/im.exec(text)?.[1],
      callId: /^(?:Call-ID|i):\s*(\S+)/im.exec(text)?.[1],
    });
  }
  return out;
}

/** What a caller's trace says happened: the INVITE's final status and whether the far end sent BYE. */
export function summarizeCallerTrace(trace: string): { byeFromRemote: boolean; finalStatus?: number } {
  const msgs = parseSippTrace(trace);
  const final = msgs.find(
    (m) => m.direction === "received" && m.cseqMethod === "INVITE" && m.status !== undefined && m.status >= 200,
  );
  const byeFromRemote = msgs.some((m) => m.direction === "received" && m.method === "BYE");
  return final?.status !== undefined ? { byeFromRemote, finalStatus: final.status } : { byeFromRemote };
}
