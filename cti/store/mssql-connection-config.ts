// The store URL for SQL Server. Two spellings are accepted:
//   mssql://user:password@host[:port]/database?encrypt=true&trustServerCertificate=true&instanceName=NAME
//   Server=host,1433;Database=micc;User Id=sa;Password=...;Encrypt=true;TrustServerCertificate=true   (ADO.NET)
// The ADO.NET form is what MiCC installations already have; the URL form is handy in MSSQL_URL variables.
import mssql from "mssql";
import { CtiError, Errors } from "../errors.js";

const URL_SCHEMES = new Set(["mssql:", "sqlserver:"]);

function parseBooleanOption(name: string, value: string): boolean {
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new CtiError(Errors.CONFIG_INVALID, `store url option ${name} must be true or false`);
}

function fromUrl(url: URL): mssql.config {
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  const options: mssql.IOptions = {};
  for (const [key, value] of url.searchParams) {
    switch (key.toLowerCase()) {
      case "encrypt":
        options.encrypt = parseBooleanOption(key, value);
        break;
      case "trustservercertificate":
        options.trustServerCertificate = parseBooleanOption(key, value);
        break;
      case "instancename":
        options.instanceName = value;
        break;
      default:
        throw new CtiError(Errors.CONFIG_INVALID, `unknown store url option ${key}`);
    }
  }
  return {
    server: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(database ? { database } : {}),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    options,
  };
}

/** Parses either spelling; the error never repeats the string (it carries the password). */
export function mssqlConnectionConfig(connection: string): mssql.config {
  let config: mssql.config;
  const scheme = /^[a-z]+:/i.exec(connection)?.[0].toLowerCase();
  try {
    config = scheme && URL_SCHEMES.has(scheme) ? fromUrl(new URL(connection)) : mssql.ConnectionPool.parseConnectionString(connection);
  } catch (err) {
    if (err instanceof CtiError) throw err;
    throw new CtiError(Errors.CONFIG_INVALID, "the SQL Server store url cannot be parsed", { cause: err });
  }
  if (!config.server) throw new CtiError(Errors.CONFIG_INVALID, "the SQL Server store url names no server");
  return config;
}

/** Where the store points, for logs and errors: no user, no password. */
export function describeMssqlTarget(config: mssql.config): string {
  const instance = config.options?.instanceName ? `\\${config.options.instanceName}` : "";
  return `${config.server}${instance}:${config.port ?? 1433}/${config.database ?? "(default database)"}`;
}
