#!/usr/bin/env node
// The ctibridge command: run the daemon, check a configuration, manage the directory of users, print the Asterisk
// configuration that connects an Asterisk to the bridge.
import { resolve, join } from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { loadConfig, DEMO_CONFIG_FILE } from "./config/load-config.js";
import { formatProblem, SourceInvalidError } from "./config/yaml-source.js";
import type { Config } from "./config/schema.js";
import { CtiError } from "./errors.js";
import { createLogger, silentLogger } from "./log.js";
import { openStore, type Store, type User, type RestoreOption } from "./store/open-store.js";
import { Daemon, loadConfiguredIvr } from "./daemon.js";
import { VERSION } from "./version.js";
import { BvdTable } from "./routing/bvd-table.js";
import { PromptLibrary } from "../ivr/media/prompt-library.js";
import { AGENT_ACTION_NAMES } from "./agents/agent-actions.js";
import { renderAsteriskConfig, DEFAULT_PHONES_CONTEXT, DEFAULT_TRUNK_NAME } from "./asterisk/asterisk-config.js";
import { addObjectTagCommands } from "./object-tags/object-tag-cli.js";

const RESTORE_OPTIONS = ["system", "always", "never", "priority"] as const;

class UsageError extends Error {}

function fail(error: unknown): never {
  if (error instanceof SourceInvalidError) {
    for (const p of error.problems) process.stderr.write(formatProblem(p) + "\n");
  } else if (error instanceof CtiError || error instanceof UsageError) {
    process.stderr.write(`ctibridge: ${error instanceof CtiError ? `${error.code}: ` : ""}${error.message}\n`);
  } else {
    process.stderr.write(`ctibridge: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
}

/** Checks a configuration and every script its BVDs name; returns the problems found. */
export function checkConfiguration(file: string): SourceInvalidError | undefined {
  try {
    const loaded = loadConfig(file);
    loadConfiguredIvr(loaded, new Set(AGENT_ACTION_NAMES), new PromptLibrary());
    return undefined;
  } catch (e) {
    if (e instanceof SourceInvalidError) return e;
    throw e;
  }
}

async function withStore<T>(options: { config?: string; data?: string }, run: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const { config } = loadConfig(options.config ?? DEMO_CONFIG_FILE);
  const dataDir = resolve(options.data ?? "var");
  if (config.store.kind === "sqlite") mkdirSync(dataDir, { recursive: true });
  const store = await openStore(
    config.store.kind === "sqlite" ? { kind: "sqlite", file: join(dataDir, config.store.file) } : { kind: "mssql", url: config.store.url! },
    silentLogger(),
  );
  try {
    return await run(store, config);
  } finally {
    await store.close();
  }
}

/** "--pin -" reads the PIN from standard input, so it stays out of the shell history and process list. */
function readPin(pin: string): string {
  return pin === "-" ? readFileSync(0, "utf8").trim() : pin;
}

function splitName(name: string | undefined): { firstName?: string; lastName?: string } {
  if (!name) return {};
  const parts = name.trim().split(/\s+/);
  const lastName = parts.length > 1 ? parts.pop() : undefined;
  return { firstName: parts.join(" "), ...(lastName ? { lastName } : {}) };
}

function describeUser(u: User): string {
  const name = [u.firstName, u.lastName].filter(Boolean).join(" ");
  return [u.logonId, name || "-", u.personalNumber ?? "-", u.restoreOption, u.locked ? "locked" : "active", String(u.failedAttempts)].join("\t");
}

const storeOptions = (cmd: Command) =>
  cmd
    .option("--config <file>", "configuration file (default: the demo configuration)")
    .option("--data <dir>", "data directory holding the SQLite store", "var");

const program = new Command("ctibridge")
  .description("CTI and IVR bridge for contact centers")
  .version(VERSION, "--version", "print the version")
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program
  .command("start")
  .description("run the daemon (demo configuration when --config is not given)")
  .option("--config <file>", "configuration file")
  .option("--data <dir>", "data directory for the SQLite store", "var")
  .action(async (opts: { config?: string; data: string }) => {
    let daemon: Daemon;
    try {
      const loaded = loadConfig(opts.config ?? DEMO_CONFIG_FILE);
      const logger = createLogger({ level: loaded.config.logging.level });
      daemon = await Daemon.start({ configFile: loaded.file, dataDir: opts.data, logger });
    } catch (e) {
      fail(e);
    }
    let signals = 0;
    const shutdown = (signal: string) => {
      if (++signals > 1) return;
      void daemon.stop(`signal ${signal}`).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
    // SIGHUP: read the scripts again; a broken script is logged and the running ones stay.
    process.on("SIGHUP", () => {
      try {
        daemon.reloadScripts();
      } catch {
        // logged by the daemon
      }
    });
  });

program
  .command("check-config")
  .description("check a configuration file and the scripts it uses; print every error with file, line and reason")
  .argument("[file]", "configuration file", DEMO_CONFIG_FILE)
  .action((file: string) => {
    const problems = checkConfiguration(file);
    if (problems) fail(problems);
    process.stdout.write(`${resolve(file)}: OK\n`);
  });

program
  .command("asterisk-config")
  .description("print the pjsip.conf and extensions.conf pieces that connect an Asterisk 22 to this bridge")
  .option("--config <file>", "configuration file (default: the demo configuration)")
  .option("--phones-context <name>", "dialplan context of the phones, where the BVD numbers go", DEFAULT_PHONES_CONTEXT)
  .option("--trunk-name <name>", "name of the PJSIP endpoint for the bridge", DEFAULT_TRUNK_NAME)
  .action((opts: { config?: string; phonesContext: string; trunkName: string }) => {
    try {
      const { config } = loadConfig(opts.config ?? DEMO_CONFIG_FILE);
      process.stdout.write(renderAsteriskConfig(config, { phonesContext: opts.phonesContext, trunkName: opts.trunkName }));
    } catch (e) {
      fail(e);
    }
  });

program
  .command("version")
  .description("print the version")
  .action(() => {
    process.stdout.write(`ctibridge ${VERSION}\n`);
  });

const user = program.command("user").description("manage the directory of users (agents)");

storeOptions(
  user
    .command("add")
    .description("add a user")
    .argument("<logonId>", "logon ID (the agent number keyed on the phone)")
    .requiredOption("--pin <pin>", "PIN, 4 to 12 digits ('-' reads it from standard input)")
    .option("--name <name>", 'full name, e.g. "First Last"')
    .option("--pdn <number>", "personal directory number")
    .option("--default-destination <number>", "where personal calls go while the agent is not logged on")
    .addOption(new Option("--dispatch <yes|no>", "Dispatch privilege (no: personal call routing without dispatch)").choices(["yes", "no"]))
    .addOption(new Option("--restore <option>", "phone agent logon restore after restart").choices(RESTORE_OPTIONS).default("system")),
).action(async (logonId: string, opts: { pin: string; name?: string; pdn?: string; defaultDestination?: string; dispatch?: "yes" | "no"; restore: RestoreOption; config?: string; data?: string }) => {
  try {
    await withStore(opts, async (store, config) => {
      const added = await store.users.add({
        tenantId: config.system.tenantId,
        logonId,
        pin: readPin(opts.pin),
        ...splitName(opts.name),
        ...(opts.pdn ? { personalNumber: opts.pdn } : {}),
        ...(opts.defaultDestination ? { defaultDestination: opts.defaultDestination } : {}),
        ...(opts.dispatch ? { dispatch: opts.dispatch === "yes" } : {}),
        restoreOption: opts.restore,
      });
      process.stdout.write(`added ${added.logonId}\n`);
    });
  } catch (e) {
    fail(e);
  }
});

storeOptions(user.command("list").description("list users: logon ID, name, personal number, restore option, lock state, failed attempts")).action(
  async (opts: { config?: string; data?: string }) => {
    try {
      await withStore(opts, async (store, config) => {
        const users = await store.users.list(config.system.tenantId);
        process.stdout.write(["logonId", "name", "pdn", "restore", "status", "failedAttempts"].join("\t") + "\n");
        for (const u of users) process.stdout.write(describeUser(u) + "\n");
      });
    } catch (e) {
      fail(e);
    }
  },
);

storeOptions(
  user
    .command("set-pin")
    .description("set a user's PIN (also clears failed attempts)")
    .argument("<logonId>")
    .requiredOption("--pin <pin>", "new PIN, 4 to 12 digits ('-' reads it from standard input)"),
).action(async (logonId: string, opts: { pin: string; config?: string; data?: string }) => {
  try {
    await withStore(opts, (store, config) => store.users.setPin(config.system.tenantId, logonId, readPin(opts.pin)));
    process.stdout.write(`PIN set for ${logonId}\n`);
  } catch (e) {
    fail(e);
  }
});

storeOptions(
  user
    .command("set")
    .description("change a user's name, personal number, default destination, dispatch privilege or restore option")
    .argument("<logonId>")
    .option("--name <name>", 'full name, e.g. "First Last"')
    .option("--pdn <number>", "personal directory number ('' to clear)")
    .option("--default-destination <number>", "where personal calls go while the agent is not logged on ('' to clear)")
    .addOption(new Option("--dispatch <yes|no>", "Dispatch privilege (no: personal call routing without dispatch)").choices(["yes", "no"]))
    .addOption(new Option("--restore <option>", "phone agent logon restore after restart").choices(RESTORE_OPTIONS)),
).action(async (logonId: string, opts: { name?: string; pdn?: string; defaultDestination?: string; dispatch?: "yes" | "no"; restore?: RestoreOption; config?: string; data?: string }) => {
  try {
    await withStore(opts, (store, config) =>
      store.users.update(config.system.tenantId, logonId, {
        ...splitName(opts.name),
        ...(opts.pdn !== undefined ? { personalNumber: opts.pdn === "" ? null : opts.pdn } : {}),
        ...(opts.defaultDestination !== undefined ? { defaultDestination: opts.defaultDestination === "" ? null : opts.defaultDestination } : {}),
        ...(opts.dispatch ? { dispatch: opts.dispatch === "yes" } : {}),
        ...(opts.restore ? { restoreOption: opts.restore } : {}),
      }),
    );
    process.stdout.write(`updated ${logonId}\n`);
  } catch (e) {
    fail(e);
  }
});

for (const [name, verb, description] of [
  ["unlock", "unlocked", "unlock an account locked after failed PIN attempts"],
  ["lock", "locked", "lock an account by hand"],
  ["remove", "removed", "remove a user (and its stored phone agent logon)"],
] as const) {
  storeOptions(user.command(name).description(description).argument("<logonId>")).action(
    async (logonId: string, opts: { config?: string; data?: string }) => {
      try {
        await withStore(opts, async (store, config) => {
          await store.users[name](config.system.tenantId, logonId);
        });
        process.stdout.write(`${verb} ${logonId}\n`);
      } catch (e) {
        fail(e);
      }
    },
  );
}

addObjectTagCommands(program, { withStore, fail, storeOptions });

program.parseAsync(process.argv).catch(fail);
