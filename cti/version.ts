// The bridge's version, from package.json (read once; the file sits two levels above both cti/ and dist/cti/).
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

function findPackageJson(): string | undefined {
  for (const rel of ["../package.json", "../../package.json"]) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
  }
  return undefined;
}

const file = findPackageJson();
export const VERSION: string = file ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : "0.0.0";
