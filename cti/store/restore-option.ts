// The user property "Phone Agent Logon" (manual, PHONE AGENT AUTOMATIC LOGON), stored as MiCC's small integer.
export type RestoreOption = "system" | "always" | "never" | "priority";

/** Index = the value stored in cc_user.phone_agent_logon. */
const RESTORE_OPTIONS: readonly RestoreOption[] = ["system", "always", "never", "priority"];

export function restoreOptionToColumn(option: RestoreOption): number {
  const i = RESTORE_OPTIONS.indexOf(option);
  if (i < 0) throw new RangeError(`unknown restore option ${String(option)}`);
  return i;
}

/** Unknown numbers (a hand-edited row) fall back to the system setting, the manual's default. */
export function restoreOptionFromColumn(value: unknown): RestoreOption {
  return RESTORE_OPTIONS[Number(value)] ?? "system";
}

export function isRestoreOption(value: unknown): value is RestoreOption {
  return typeof value === "string" && (RESTORE_OPTIONS as readonly string[]).includes(value);
}
