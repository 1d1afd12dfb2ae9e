// `ctibridge asterisk-config`: the pjsip.conf and extensions.conf pieces that connect an Asterisk 22 to the bridge
// for the current configuration (the bridge's sip.address:sip.port, its BVD numbers, the numbers its service
// groups send callers to). The output depends on nothing but the configuration and the options: same input, same
// bytes. Each piece starts with a `;;; file: NAME` line naming the file it is meant to be saved as.
import type { Config } from "../config/schema.js";
import { CtiError, Errors } from "../errors.js";
import { bridgeDialplan, COPY_HEADERS_SUBROUTINE, describeNumber, TRANSFER_MARK_SUBROUTINE, type DialplanNumber } from "./bridge-dialplan.js";
import { ConfWriter } from "./conf-writer.js";
import { pjsipTrunk, type BridgeTrunk } from "./pjsip-trunk.js";

export const DEFAULT_PHONES_CONTEXT = "from-phones";
export const DEFAULT_TRUNK_NAME = "ctibridge";

export interface AsteriskConfigOptions {
  /** The phones' dialplan context, where BVD numbers are added (default "from-phones"). */
  phonesContext?: string;
  /** Name of the PJSIP endpoint for the bridge (default "ctibridge"); its calls start in "from-<name>". */
  trunkName?: string;
}

export interface AsteriskConfigFile {
  /** Suggested file name in /etc/asterisk, loaded with `#include NAME`. */
  name: string;
  text: string;
}

export interface AsteriskConfig {
  pjsip: AsteriskConfigFile;
  extensions: AsteriskConfigFile;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function checkName(what: string, name: string): string {
  if (!NAME.test(name)) throw new CtiError(Errors.BAD_REQUEST, `${what} "${name}" must be 1-64 letters, digits, '_', '.' or '-'`);
  return name;
}

function bvdNumbers(config: Config): DialplanNumber[] {
  return config.bvds.map((b) => ({
    number: b.number,
    about: describeNumber([
      b.kind,
      b.script ? `(script ${b.script})` : undefined,
      b.serviceAccess ? `(service access ${b.serviceAccess})` : undefined,
      b.description ? `- ${b.description}` : undefined,
    ]),
  }));
}

/** Numbers service groups send callers to (overflow, closed), each once, in configuration order. */
function destinationNumbers(config: Config): DialplanNumber[] {
  const uses = new Map<string, string[]>();
  for (const group of config.serviceGroups) {
    for (const [key, what] of [["overflow", "overflow of"], ["closed", "closed"]] as const) {
      const destination = group[key];
      if (destination && "number" in destination) {
        const list = uses.get(destination.number) ?? [];
        list.push(`${what} service group ${group.id}`);
        uses.set(destination.number, list);
      }
    }
  }
  return [...uses].map(([number, list]) => ({ number, about: describeNumber([list.join(", ")]) }));
}

export function generateAsteriskConfig(config: Config, options: AsteriskConfigOptions = {}): AsteriskConfig {
  const trunkName = checkName("trunk name", options.trunkName ?? DEFAULT_TRUNK_NAME);
  const phonesContext = checkName("phones context", options.phonesContext ?? DEFAULT_PHONES_CONTEXT);
  const bridgeContext = `from-${trunkName}`;
  if ([bridgeContext, TRANSFER_MARK_SUBROUTINE, COPY_HEADERS_SUBROUTINE].includes(phonesContext)) {
    throw new CtiError(Errors.BAD_REQUEST, `phones context "${phonesContext}" is a context the bridge's dialplan uses itself`);
  }
  if (config.sip.address === "0.0.0.0") {
    throw new CtiError(Errors.CONFIG_INVALID, "sip.address is 0.0.0.0: Asterisk needs the address the bridge is reached at");
  }
  const trunk: BridgeTrunk = {
    name: trunkName,
    address: config.sip.address,
    port: config.sip.port,
    // UDP when the bridge listens on it: that is what the interop measurements were made with.
    transport: config.sip.transports.includes("udp") ? "udp" : "tcp",
    context: bridgeContext,
  };

  const pjsipName = `pjsip_${trunkName}.conf`;
  const pjsip = new ConfWriter()
    .line(`;;; file: ${pjsipName}`)
    .comment(
      `The SIP trunk between Asterisk and ctibridge at ${trunk.address}:${trunk.port} (${trunk.transport.toUpperCase()}), ` +
        "written by `ctibridge asterisk-config`.",
    )
    .comment("Regenerate it after changing sip.address, sip.port or sip.transports.")
    .comment(`It needs a ${trunk.transport.toUpperCase()} transport in pjsip.conf (protocol = ${trunk.transport}) and this line there:`)
    .line(`;     #include ${pjsipName}`)
    .blank();
  pjsipTrunk(trunk, pjsip);

  const extensionsName = `extensions_${trunkName}.conf`;
  const extensions = new ConfWriter()
    .line(`;;; file: ${extensionsName}`)
    .comment("The dialplan between the phones and ctibridge, written by `ctibridge asterisk-config`.")
    .comment("Regenerate it after changing bvds or service group destinations. extensions.conf loads it with this line:")
    .line(`;     #include ${extensionsName}`)
    .blank();
  bridgeDialplan(
    { trunkName, phonesContext, bridgeContext, bvds: bvdNumbers(config), destinations: destinationNumbers(config) },
    extensions,
  );

  return { pjsip: { name: pjsipName, text: pjsip.toString() }, extensions: { name: extensionsName, text: extensions.toString() } };
}

/** Both pieces, as `ctibridge asterisk-config` prints them. */
export function renderAsteriskConfig(config: Config, options: AsteriskConfigOptions = {}): string {
  const { pjsip, extensions } = generateAsteriskConfig(config, options);
  return `${pjsip.text}\n${extensions.text}`;
}
