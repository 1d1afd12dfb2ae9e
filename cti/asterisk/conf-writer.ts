// Writes text in Asterisk's configuration format (`[section]`, `key = value`, `exten =>`, `; comment`): comments
// wrapped to a readable width and made harmless, LF line endings, no tabs, no trailing spaces.

const COMMENT_WIDTH = 116;

/**
 * Text from the bridge configuration (a BVD's description) made safe inside a `;` comment: one line, and no `;`,
 * because `;--` would open one of Asterisk's block comments and swallow the lines after it.
 */
export function commentText(text: string): string {
  return text.replace(/;/g, ",").replace(/\s+/g, " ").trim();
}

export class ConfWriter {
  readonly #lines: string[] = [];

  /** `; text`, wrapped at word boundaries. */
  comment(text: string): this {
    let line = ";";
    for (const word of commentText(text).split(" ")) {
      if (line.length > 1 && line.length + 1 + word.length > COMMENT_WIDTH) {
        this.#lines.push(line);
        line = ";";
      }
      line += ` ${word}`;
    }
    this.#lines.push(line);
    return this;
  }

  section(name: string): this {
    this.#lines.push(`[${name}]`);
    return this;
  }

  option(key: string, value: string): this {
    this.#lines.push(`${key} = ${value}`);
    return this;
  }

  /** A dialplan line written as it is (`exten => …`, ` same => …`, `include => …`). */
  line(text: string): this {
    this.#lines.push(text);
    return this;
  }

  blank(): this {
    if (this.#lines.length > 0 && this.#lines[this.#lines.length - 1] !== "") this.#lines.push("");
    return this;
  }

  toString(): string {
    const lines = [...this.#lines];
    while (lines[lines.length - 1] === "") lines.pop();
    return lines.map((l) => l.trimEnd()).join("\n") + "\n";
  }
}
