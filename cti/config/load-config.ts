// Loads and validates the configuration file. With no file, the demo configuration shipped with the bridge is used.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { configSchema, type Config } from "./schema.js";
import { SourceInvalidError, YamlSource } from "./yaml-source.js";

export const DEMO_CONFIG_FILE = join(dirname(fileURLToPath(import.meta.url)), "demo.yaml");

export interface LoadedConfig {
  file: string;
  config: Config;
}

/** Throws SourceInvalidError listing every problem (file, line, reason). */
export function loadConfig(file: string = DEMO_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = resolve(file);
  const source = YamlSource.fromFile(path);
  const config = source.validate(configSchema);
  if (config.store.url !== undefined) {
    const missing: string[] = [];
    config.store.url = config.store.url.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      const value = env[name];
      if (value === undefined) missing.push(name);
      return value ?? "";
    });
    if (missing.length > 0) {
      throw new SourceInvalidError(missing.map((name) => source.problemAt(["store", "url"], `environment variable ${name} is not set`)));
    }
  }
  return { file: path, config };
}
