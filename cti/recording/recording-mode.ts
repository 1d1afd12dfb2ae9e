// Who records and who may change it: the manual's table "Integrating with Mitel Interaction Recording" (the MiCC
// Enterprise Voice Recording option combined with the MIR recording rule), one mode per row that behaves
// differently:
//
//   mode              manual (MiCC option + MIR rule)                          recorded   the agent may
//   always            On Demand or All Calls Save by Default +                 from the   nothing: no start, stop
//                     Always Record – No Manual Override                       start      or pause
//   onDemand          On Demand + Do Not Record – Allow Manual Override        when the   start, stop, pause, resume
//                                                                              agent asks
//   alwaysAllowStop   On Demand + Always Record – Allow Manual Override        from the   stop, pause, resume (not
//                                                                              start      start again)
//   discardByDefault  Discard by Default + Do Not Record or Always Record –    from the   start, stop, pause, resume
//                     Allow Manual Override                                    start      with the Record Calls
//                                                                                         privilege
// Pausing is a manual override too: where the agent may not stop, it may not pause either.

export const RECORDING_MODES = ["always", "onDemand", "alwaysAllowStop", "discardByDefault"] as const;
export type RecordingMode = (typeof RECORDING_MODES)[number];

export const RECORDING_ACTIONS = ["start", "stop", "pause", "resume"] as const;
export type RecordingAction = (typeof RECORDING_ACTIONS)[number];

interface ModeRule {
  /** Recorders may join as soon as the conversation is established. */
  readonly recordsFromStart: boolean;
  /** What the agent may ask for. */
  readonly actions: ReadonlySet<RecordingAction>;
  /** Only agents with the Record Calls privilege may use `actions`. */
  readonly needsPrivilege: boolean;
}

const ALL: ReadonlySet<RecordingAction> = new Set(RECORDING_ACTIONS);

const RULES: Readonly<Record<RecordingMode, ModeRule>> = {
  always: { recordsFromStart: true, actions: new Set(), needsPrivilege: false },
  onDemand: { recordsFromStart: false, actions: ALL, needsPrivilege: false },
  alwaysAllowStop: { recordsFromStart: true, actions: new Set(["stop", "pause", "resume"]), needsPrivilege: false },
  discardByDefault: { recordsFromStart: true, actions: ALL, needsPrivilege: true },
};

/** Whether a conversation is recorded from the moment it is established. */
export function recordsFromStart(mode: RecordingMode): boolean {
  return RULES[mode].recordsFromStart;
}

/**
 * Whether the agent may ask for `action` in this mode; `hasRecordCallsPrivilege` matters in discardByDefault only.
 * Returns the reason when it may not.
 */
export function refusalOf(mode: RecordingMode, action: RecordingAction, hasRecordCallsPrivilege: boolean): string | undefined {
  const rule = RULES[mode];
  if (!rule.actions.has(action)) return `recording mode ${mode} does not let the agent ${action} recording`;
  if (rule.needsPrivilege && !hasRecordCallsPrivilege) return `recording mode ${mode}: the agent has no Record Calls privilege`;
  return undefined;
}
