#!/usr/bin/env bash
# Regenerates the default English prompts in ivr/prompts/en/ with espeak-ng (speech) and sox (format, tone).
# Output: 8000 Hz, mono, 16-bit signed PCM WAV, normalised to -3 dBFS, 100 ms of silence before and 200 ms after
# the speech; no dither (-D), so a rerun with the same espeak-ng gives identical files. "one-second" is a 440 Hz
# tone of exactly 8000 samples (1.000 s = 50 RTP packets), used by tests and benchmarks. "music-on-hold" is a
# 10.000 s loop of plucked chords (sox synth) that starts and ends in silence, so it can repeat without a click.
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

# Pieces strung together into one sentence ("You are number" "three" "in the queue."): espeak-ng's own leading and
# trailing silence (~0.4 s) is cut (below -60 dBFS) and only 50 ms before / 100 ms after is added, so the
# sentence does not stumble between its pieces.
fragment() { # name text
  espeak-ng -v "$voice" -s "$speed" -w "$tmp/$1.raw.wav" "$2"
  sox -D "$tmp/$1.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/$1.wav" \
    rate -v 8000 silence 1 0.005 -60d reverse silence 1 0.005 -60d reverse norm -3 pad 0.05 0.1
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
speak enter-customer-number "Please enter your four digit customer number."

# Queue announcements. ivr/queue-announcement.ts strings the fragments together into sentences.
speak queue-welcome "Thank you for calling. All our agents are busy. Please hold, and you will be connected to the next available agent."
fragment queue-position "You are number"
fragment queue-in-line "in the queue."
fragment queue-estimated-wait "Your estimated waiting time is"
fragment minute "minute"
fragment minutes "minutes"
fragment less-than-one-minute "less than one minute."
speak queue-closed "We are sorry. This service is closed at the moment. Please call again later."
speak queue-overflow "All our agents are still busy. Your call is being transferred."
n=0
for word in one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen \
  seventeen eighteen nineteen twenty; do
  n=$((n + 1))
  fragment "number-$n" "$word"
done

# Exactly 1.000 s: 8000 samples of a 440 Hz tone at -6 dBFS with 10 ms fades (no clicks).
sox -D -r 8000 -c 1 -n -b 16 -e signed-integer "$out/one-second.wav" synth 8000s sine 440 vol 0.5 fade q 0.01 8000s 0.01

# Music on hold: C - Am - F - G, 2.5 s each, four plucked strings strummed 130 ms apart (voiced inside the telephone
# band), softened (low-pass, a little reverb). Each chord fades to silence before the next; the first starts after
# 30 ms of silence, so the 10.000 s loop (80000 samples, 500 RTP packets) repeats without a seam. Peak -12 dBFS:
# quieter than speech (-3 dBFS), as hold music should be. sox's synth is deterministic, like the speech.
chord() { # name note note note note
  sox -D -V1 -r 48000 -c 4 -n "$tmp/$1.wav" synth 2.5 pluck "$2" pluck "$3" pluck "$4" pluck "$5" \
    delay 0.03 0.16 0.29 0.42 remix - lowpass 2000 reverb 40 50 60 trim 0 2.5 fade q 0.01 2.5 0.6
}
chord moh-1 C4 G4 C5 E5
chord moh-2 A3 E4 A4 C5
chord moh-3 F3 C4 F4 A4
chord moh-4 G3 D4 G4 B4
sox -D -V1 "$tmp"/moh-1.wav "$tmp"/moh-2.wav "$tmp"/moh-3.wav "$tmp"/moh-4.wav -r 8000 -c 1 -b 16 -e signed-integer \
  "$out/music-on-hold.wav" rate -v 8000 trim 0 80000s norm -12

for f in "$out"/*.wav; do
  printf '%-28s %s\n' "$(basename "$f")" "$(soxi -D "$f") s"
done
