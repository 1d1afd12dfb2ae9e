// Evaluates a branch condition against a variable's current value. Comparison values may be templates
// ("${LOGON_ATTEMPTS}"), filled before comparing.
import type { Condition } from "./script-schema.js";

export function conditionHolds(condition: Condition, value: string | undefined, fill: (template: string) => string): boolean {
  const text = value ?? "";
  if (condition.equals !== undefined) return text === fill(condition.equals);
  if (condition.notEquals !== undefined) return text !== fill(condition.notEquals);
  if (condition.lessThan !== undefined) return text !== "" && Number(text) < Number(fill(condition.lessThan));
  if (condition.greaterThan !== undefined) return text !== "" && Number(text) > Number(fill(condition.greaterThan));
  if (condition.matches !== undefined) return new RegExp(condition.matches).test(text);
  if (condition.in !== undefined) return condition.in.map(fill).includes(text);
  if (condition.empty !== undefined) return (text === "") === condition.empty;
  return false;
}
