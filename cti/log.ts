// Structured JSON logging (pino). Secrets are redacted by key wherever they appear, so a PIN or password
// passed along in an object by mistake still never reaches the log.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger };

export const REDACTED_KEYS = ["pin", "password", "secret", "community", "token", "authKey", "privKey", "newPin"];

export function createLogger(options: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const opts: LoggerOptions = {
    name: options.name ?? "ctibridge",
    level: options.level ?? process.env.CTIBRIDGE_LOG_LEVEL ?? "info",
    redact: { paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`)], censor: "[redacted]" },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(opts, options.destination as DestinationStream) : pino(opts);
}

/** A logger that drops everything, for unit tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
