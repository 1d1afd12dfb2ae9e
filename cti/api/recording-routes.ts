// Recording of an agent's current conversation (the manual's "Record Calls" dialog and Web Manager's Start/Stop
// Recording): read its state and recording URI, start, stop, pause or resume it. The recording mode decides who may
// do what (cti/recording/recording-mode.ts); events recording.started/stopped/paused/resumed follow each change.
import type { FastifyInstance } from "fastify";
import type { AgentRegistry } from "../agents/agent-registry.js";
import { CtiError, Errors } from "../errors.js";
import { RECORDING_ACTIONS, RECORDING_MODES, type RecordingAction } from "../recording/recording-mode.js";
import type { RecordingControl, RecordingView } from "../recording/recording-registry.js";
import { errorResponses } from "./error-reply.js";
import { logonIdParams } from "./schemas.js";

export interface RecordingRouteDeps {
  agents: AgentRegistry;
  recording: RecordingControl;
}

const recordingViewSchema = {
  type: "object",
  description: "The recording of an agent's current conversation.",
  required: ["callId", "logonId", "extension", "state", "mode", "recorders", "recordingUri"],
  properties: {
    callId: { type: "string", description: "The caller leg's SIP Call-ID." },
    logonId: { type: "string" },
    extension: { type: "string" },
    serviceGroup: { type: "string" },
    state: {
      type: "string",
      enum: ["recording", "paused", "stopped"],
      description: "recording: recorders hear the conversation; paused: they hear silence; stopped: none is connected and joins are refused.",
    },
    mode: { type: "string", enum: [...RECORDING_MODES], description: "recording.mode: who may start, stop and pause." },
    recorders: { type: "integer", minimum: 0, description: "Recorders connected now." },
    recordingUri: { type: "string", description: "The SIP URI a recorder INVITEs to join (as in call.established)." },
  },
} as const;

const recordingBody = {
  type: "object",
  required: ["action"],
  additionalProperties: false,
  properties: {
    action: {
      type: "string",
      enum: [...RECORDING_ACTIONS],
      description: "start: recorders may join; stop: recorders get BYE, joins refused until start; pause: recorders hear silence until resume.",
    },
  },
} as const;

type LogonIdParams = { logonId: string };
const tags = ["agents"];

export function registerRecordingRoutes(server: FastifyInstance, deps: RecordingRouteDeps): void {
  const { agents, recording } = deps;
  const loggedOn = (logonId: string): void => {
    if (!agents.get(logonId)) throw new CtiError(Errors.AGENT_NOT_LOGGED_ON, logonId);
  };

  server.get<{ Params: LogonIdParams }>("/agents/:logonId/recording", {
    schema: {
      tags,
      summary: "The recording of the agent's current conversation",
      params: logonIdParams,
      response: { 200: recordingViewSchema, ...errorResponses(Errors.AGENT_NOT_LOGGED_ON, Errors.RECORDING_NO_CONVERSATION) },
    },
  }, async (request): Promise<RecordingView> => {
    loggedOn(request.params.logonId);
    return recording.view(request.params.logonId);
  });

  server.post<{ Params: LogonIdParams; Body: { action: RecordingAction } }>("/agents/:logonId/recording", {
    schema: {
      tags,
      summary: "Start, stop, pause or resume recording of the agent's current conversation",
      description:
        "Asking for the state it already is in changes nothing. The recording mode decides what the agent may ask for: " +
        "always: nothing; onDemand: everything; alwaysAllowStop: stop, pause and resume; discardByDefault: everything, " +
        "for agents with the Record Calls privilege (recording.recordCallsAgents).",
      params: logonIdParams,
      body: recordingBody,
      response: {
        200: recordingViewSchema,
        ...errorResponses(Errors.AGENT_NOT_LOGGED_ON, Errors.RECORDING_NO_CONVERSATION, Errors.RECORDING_NOT_ALLOWED, Errors.RECORDING_STATE),
      },
    },
  }, async (request): Promise<RecordingView> => {
    loggedOn(request.params.logonId);
    return recording.control(request.params.logonId, request.body.action);
  });
}
