// How a query parameter is typed for SQL Server. Kysely (and tedious by default) send every string as NVarChar,
// and comparing an nvarchar parameter with a varchar(100) column converts the column, turning an index seek into
// a scan. ASCII-only strings are safe in any varchar code page, so they go as VarChar; anything else goes as
// NVarChar so no character is lost. Lengths are fixed (8000/4000/MAX) so plans are reused across values.
import mssql from "mssql";
import { CtiError, Errors } from "../errors.js";

export interface TypedParameter {
  type: mssql.ISqlType | mssql.ISqlTypeFactoryWithNoParams;
  value: unknown;
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function mssqlParameterType(value: unknown): TypedParameter {
  if (value === null || value === undefined) return { type: mssql.NVarChar(1), value: null };
  if (typeof value === "string") {
    if (ASCII_ONLY.test(value)) return { type: mssql.VarChar(value.length <= 8000 ? 8000 : mssql.MAX), value };
    return { type: mssql.NVarChar(value.length <= 4000 ? 4000 : mssql.MAX), value };
  }
  if (typeof value === "number") {
    if (Number.isInteger(value)) {
      return value >= INT32_MIN && value <= INT32_MAX ? { type: mssql.Int, value } : { type: mssql.BigInt, value };
    }
    return { type: mssql.Float, value };
  }
  if (typeof value === "bigint") return { type: mssql.BigInt, value: value.toString() };
  if (typeof value === "boolean") return { type: mssql.Bit, value };
  if (value instanceof Date) return { type: mssql.DateTime2(3), value };
  if (Buffer.isBuffer(value)) return { type: mssql.VarBinary(mssql.MAX), value };
  throw new CtiError(Errors.INTERNAL, `cannot send a ${typeof value} parameter to SQL Server`);
}
