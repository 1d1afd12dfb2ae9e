// The `recording` section of the configuration: which recorders may join conversations through their recording
// URI (MIR's "MIR Media Integration") and the recording mode, the manual's table of MiCC Enterprise options and
// MIR recording rules (recording-mode.ts).
import { z } from "zod";
import { RECORDING_MODES } from "./recording-mode.js";

const ipv4 = z.string().ip({ version: "v4", message: "must be an IPv4 address" });
const logonId = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v))
  .refine((v) => /^[0-9*#+]{1,32}$/.test(v), { message: "must be a logon ID (digits, 1-32 characters)" });

export const recordingConfigSchema = z
  .object({
    /**
     * Source addresses of the recorders that may INVITE a recording URI (others get 403). They are also trusted SIP
     * peers. None (the default): recording is off and call.established carries no recordingUri.
     */
    allowedRecorders: z.array(ipv4).default([]),
    /** Who records and who may start, stop, pause and resume (recording-mode.ts). */
    mode: z.enum(RECORDING_MODES).default("always"),
    /** Agents with the "Record Calls" privilege: in mode discardByDefault only they may start/stop ("*" = all). */
    recordCallsAgents: z.union([z.literal("*"), z.array(logonId)]).default("*"),
  })
  .strict();

export type RecordingConfig = z.output<typeof recordingConfigSchema>;
