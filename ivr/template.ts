// "${name}" placeholders in script values, filled from script variables and call facts. Unknown names become "".
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function fillTemplate(template: string, lookup: (name: string) => string | undefined): string {
  return template.includes("${") ? template.replace(PLACEHOLDER, (_, name: string) => lookup(name) ?? "") : template;
}

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
