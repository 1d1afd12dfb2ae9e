// Reads a YAML file and validates it against a zod schema, reporting every problem with file, line and reason.
// Shared by the daemon configuration and the IVR scripts so both speak the same error language.
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq, type Node, type Document } from "yaml";
import type { ZodIssue, ZodType, ZodTypeDef } from "zod";

export interface SourceProblem {
  file: string;
  line: number;
  column: number;
  reason: string;
}

export class SourceInvalidError extends Error {
  readonly problems: SourceProblem[];
  constructor(problems: SourceProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "SourceInvalidError";
    this.problems = problems;
  }
}

export function formatProblem(p: SourceProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.reason}`;
}

/** A parsed YAML document that can say where any path of it was written. */
export class YamlSource {
  readonly file: string;
  readonly document: Document.Parsed;
  readonly #lines: LineCounter;

  private constructor(file: string, document: Document.Parsed, lines: LineCounter) {
    this.file = file;
    this.document = document;
    this.#lines = lines;
  }

  static fromText(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new YamlSource(file, document, lines);
    const problems = document.errors.map((e) => source.#problemAtOffset(e.pos[0], e.message.split("\n")[0] ?? e.message));
    if (problems.length > 0) throw new SourceInvalidError(problems);
    return source;
  }

  static fromFile(file: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new SourceInvalidError([{ file, line: 0, column: 0, reason: `cannot read file: ${(e as Error).message}` }]);
    }
    return YamlSource.fromText(file, text);
  }

  /** Validates the whole document; throws SourceInvalidError listing every problem. */
  validate<T>(schema: ZodType<T, ZodTypeDef, unknown>): T {
    return this.validateAt([], this.document.toJS(), schema);
  }

  /** Validates the value at `path` (e.g. one block of a script); problems carry full paths and lines. */
  validateAt<T>(path: readonly (string | number)[], value: unknown, schema: ZodType<T, ZodTypeDef, unknown>): T {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw new SourceInvalidError(
      result.error.issues.flatMap((issue) => this.problemsFor({ ...issue, path: [...path, ...issue.path] } as ZodIssue)),
    );
  }

  /** Where a path (keys and indexes) was written; the nearest existing parent if the path itself is absent. */
  locate(path: readonly (string | number)[], keyOnly = false): { line: number; column: number } {
    let node: unknown = this.document.contents;
    let best = node as Node | null;
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
        if (!pair) break;
        best = (keyOnly && step === path[path.length - 1] ? pair.key : pair.value ?? pair.key) as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof step === "number") {
        const item = node.items[step];
        if (!item) break;
        best = item as Node;
        node = item;
      } else break;
    }
    const offset = best?.range?.[0] ?? 0;
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }

  problemAt(path: readonly (string | number)[], reason: string): SourceProblem {
    return { file: this.file, ...this.locate(path), reason };
  }

  private problemsFor(issue: ZodIssue): SourceProblem[] {
    const where = issue.path.length ? issue.path.join(".") : "(top level)";
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        file: this.file,
        ...this.locate([...issue.path, key], true),
        reason: `${where === "(top level)" ? "" : where + ": "}unknown key "${key}"`,
      }));
    }
    if (issue.code === "invalid_union" && issue.unionErrors.length > 0) {
      // Report the branch that got furthest, which is the one the author meant.
      const deepest = issue.unionErrors
        .map((e) => e.issues)
        .sort((a, b) => Math.max(...b.map((i) => i.path.length)) - Math.max(...a.map((i) => i.path.length)))[0];
      if (deepest && deepest.length > 0) return deepest.flatMap((i) => this.problemsFor(i));
    }
    return [{ file: this.file, ...this.locate(issue.path), reason: `${where}: ${issue.message}` }];
  }

  #problemAtOffset(offset: number, reason: string): SourceProblem {
    const { line, col } = this.#lines.linePos(offset);
    return { file: this.file, line, column: col, reason };
  }
}
