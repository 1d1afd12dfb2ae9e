// The SessionDescriptionHandler SIP.js asks for SDP. The SDP itself comes from the call (its media room,
// built elsewhere); re-INVITEs (hold, session refresh) are answered with the same SDP and a higher o= version
// (RFC 3264 8), so the media never moves under a refresh.
import type { BodyAndContentType, SessionDescriptionHandler } from "sip.js";
import { CtiError, Errors } from "../errors.js";

export interface SdpSource {
  /** The local SDP to send, undefined before the application has one. */
  readonly localSdp: string | undefined;
  /** An SDP offer or answer arrived from the peer (initial or re-INVITE). */
  remoteDescription(sdp: string): void;
}

const ORIGIN_LINE = /^o=(\S+) (\S+) (\d+) (.*)$/m;

/** `sdp` with its o= session version set to `version`. */
export function withSessionVersion(sdp: string, version: bigint): string {
  return sdp.replace(ORIGIN_LINE, (_line, user: string, id: string, _v: string, rest: string) => `o=${user} ${id} ${version} ${rest}`);
}

export function sessionVersionOf(sdp: string): bigint | undefined {
  const m = ORIGIN_LINE.exec(sdp);
  return m ? BigInt(m[3]!) : undefined;
}

export class CallSessionDescriptionHandler implements SessionDescriptionHandler {
  #sent: string | undefined;
  #version: bigint | undefined;

  constructor(private readonly source: SdpSource) {}

  async getDescription(): Promise<BodyAndContentType> {
    const sdp = this.source.localSdp;
    if (sdp === undefined) throw new CtiError(Errors.SIP_CALL_STATE, "no local SDP for this call yet");
    if (this.#sent === undefined) {
      this.#sent = sdp;
      this.#version = sessionVersionOf(sdp);
      return { body: sdp, contentType: "application/sdp" };
    }
    this.#version = (this.#version ?? 0n) + 1n;
    return { body: withSessionVersion(sdp, this.#version), contentType: "application/sdp" };
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(";")[0]!.trim().toLowerCase() === "application/sdp";
  }

  async setDescription(sdp: string): Promise<void> {
    this.source.remoteDescription(sdp);
  }

  rollbackDescription(): Promise<void> {
    return Promise.resolve();
  }

  sendDtmf(): boolean {
    return false; // DTMF is RTP (RFC 4733), sent by the media server
  }

  close(): void {
    // Media resources belong to the call's room, which releases them when the call ends.
  }
}
