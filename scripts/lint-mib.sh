#!/usr/bin/env bash
# Lints the project's MIB with smilint at level 6 and fails on ANY diagnostic (smilint itself exits 0 even on
# errors). Debian ships no SNMPv2-SMI/TC/CONF, so the copies in the npm net-snmp package are put on SMIPATH under
# their module names. Usage: scripts/lint-mib.sh [MIB-FILE...]   (default: every file in mib/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v smilint >/dev/null || { echo "lint-mib: smilint not found (apt-get install smitools)" >&2; exit 2; }
base="$root/node_modules/net-snmp/lib/mibs"
[ -d "$base" ] || { echo "lint-mib: $base missing (npm install)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for module in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB; do cp "$base/$module.mib" "$work/$module"; done

if [ "$#" -eq 0 ]; then set -- "$root"/mib/*; fi
status=0
for mib in "$@"; do
  out="$(SMIPATH="$work" smilint -s -m -l 6 "$mib" 2>&1 || true)"
  if [ -n "$out" ]; then
    echo "$out"
    echo "lint-mib: $mib: smilint reported problems" >&2
    status=1
  else
    echo "lint-mib: $mib: clean (smilint -l 6)"
  fi
done
exit "$status"
