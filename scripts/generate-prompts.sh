#!/usr/bin/env bash
# Regenerates the default English prompts in ivr/prompts/en/ with espeak-ng (speech) and sox (format, tone).
# Output: 8000 Hz, mono, 16-bit signed PCM WAV, normalised to -3 dBFS, 100 ms of silence before and 200 ms after
# the speech; no dither (-D), so a rerun with the same espeak-ng gives identical files. "one-second" is a 440 Hz
# tone of exactly 8000 samples (1.000 s = 50 RTP packets), used by tests and benchmarks.
# Usage: scripts/generate-prompts.sh [OUTPUT_DIR]     (needs: apt-get install espeak-ng sox)
set -euo pipefail

out="${1:-$(cd "$(dirname "$0")/.." && pwd)/ivr/prompts/en}"
voice="${PROMPT_VOICE:-en-us}"
speed="${PROMPT_SPEED:-150}"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

speak() { # name text
  espeak-ng -v "$voice" -s "$speed" -w "$tmp/$1.raw.wav" "$2"
  sox -D "$tmp/$1.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/$1.wav" \
    rate -v 8000 norm -3 pad 0.1 0.2
}

speak enter-agent-id "Please enter your agent number, followed by the hash key."
speak enter-pin "Please enter your PIN, followed by the hash key."
speak logged-on "You are now logged on."
speak logon-failed "The agent number or PIN is not valid. Please try again."
speak account-locked "This account is locked. Please contact your administrator."
speak logged-off "You are now logged off."
speak ready "You are now ready."
speak not-ready "You are now not ready."
speak no-agent "No agent is logged on at this extension."
speak goodbye "Goodbye."
speak service-unavailable "The service is not available. Please try again later."
speak too-many-attempts "Too many failed attempts. Goodbye."

# Exactly 1.000 s: 8000 samples of a 440 Hz tone at -6 dBFS with 10 ms fades (no clicks).
sox -D -r 8000 -c 1 -n -b 16 -e signed-integer "$out/one-second.wav" synth 8000s sine 440 vol 0.5 fade q 0.01 8000s 0.01

for f in "$out"/*.wav; do
  printf '%-28s %s\n' "$(basename "$f")" "$(soxi -D "$f") s"
done
