// Evaluates a branch condition: a test on a variable's current value, or the time of day. Comparison values may
// be templates ("${LOGON_ATTEMPTS}"), filled before comparing. The clock is passed in so tests can set the time.
import { withinTimeOfDay } from "./blocks/time-of-day.js";
import type { Condition } from "./script-schema.js";

export interface ConditionContext {
  /** A variable or call fact; undefined when neither exists. */
  lookup(name: string): string | undefined;
  fill(template: string): string;
  now(): Date;
}

export function conditionHolds(condition: Condition, context: ConditionContext): boolean {
  if ("timeOfDay" in condition) return withinTimeOfDay(condition.timeOfDay, context.now());
  const text = context.lookup(condition.var) ?? "";
  const fill = context.fill;
  if (condition.equals !== undefined) return text === fill(condition.equals);
  if (condition.notEquals !== undefined) return text !== fill(condition.notEquals);
  if (condition.lessThan !== undefined) return text !== "" && Number(text) < Number(fill(condition.lessThan));
  if (condition.greaterThan !== undefined) return text !== "" && Number(text) > Number(fill(condition.greaterThan));
  if (condition.matches !== undefined) return new RegExp(condition.matches).test(text);
  if (condition.in !== undefined) return condition.in.map(fill).includes(text);
  if (condition.empty !== undefined) return (text === "") === condition.empty;
  return false;
}
