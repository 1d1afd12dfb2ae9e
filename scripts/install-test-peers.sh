#!/usr/bin/env bash
# Installs the real peers the tests run against, from Debian's packages: Kamailio (call manager), SIPp and
# baresip (phones, callers, load), snmptrapd/snmp (SNMP manager), smitools (MIB lint), tshark (captures),
# espeak-ng and sox (prompt generation). Idempotent: packages already installed are skipped, and apt is not
# touched at all when nothing is missing. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(kamailio sip-tester baresip-core snmptrapd snmp smitools tshark espeak-ng sox)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test peers: all installed (${packages[*]})"
  exit 0
fi

echo "test peers: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# Do not let package scripts start services (snmpd) on this machine.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && created_policy=1
fi
cleanup() { [ "$created_policy" -eq 1 ] && $sudo rm -f "$policy"; true; }
trap cleanup EXIT
$sudo apt-get update -q
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
