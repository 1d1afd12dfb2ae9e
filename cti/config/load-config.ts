// Loads and validates the configuration file. With no file, the demo configuration shipped with the bridge is used.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { configSchema, type Config } from "./schema.js";
import { YamlSource } from "./yaml-source.js";

export const DEMO_CONFIG_FILE = join(dirname(fileURLToPath(import.meta.url)), "demo.yaml");

export interface LoadedConfig {
  file: string;
  config: Config;
  /** The parsed file, for checks after the schema that report file:line (prompts, scripts). */
  source: YamlSource;
}

/** Throws SourceInvalidError listing every problem (file, line, reason). ${ENV_VAR} secrets are filled in. */
export function loadConfig(file: string = DEMO_CONFIG_FILE): LoadedConfig {
  const path = resolve(file);
  const source = YamlSource.fromFile(path);
  const config = source.validate(configSchema);
  return { file: path, config, source };
}
