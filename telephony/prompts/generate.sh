#!/usr/bin/env bash
# Makes the embedded sounds again (needs espeak-ng and sox): `make prompts`.
# Each is 8 kHz, 16-bit, mono PCM, as media.LoadWAV wants.
set -euo pipefail
cd "$(dirname "$0")/sounds"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() { # say NAME TEXT: a Vietnamese prompt
	espeak-ng -v vi -s 140 -w "$tmp/$1.raw.wav" "$2"
	sox "$tmp/$1.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$1.wav" norm -3
}

say greeting "Đường dây nóng tiếp nhận phản ánh, kiến nghị xin chào. Cuộc gọi của bạn được ghi âm."

# Hold audio: a soft plucked arpeggio, 8 s, looped by the player.
i=0
for n in C4 E4 G4 C5 G4 E4 F4 A4 C5 F5 C5 A4 G4 B4 D5 G5 D5 B4 C5 G4; do
	i=$((i + 1))
	sox -n -r 8000 -c 1 -b 16 "$tmp/n$(printf %02d $i).wav" synth 0.4 pluck "$n" fade 0 0.4 0.15 vol 0.5
done
sox "$tmp"/n*.wav "$tmp/hold.raw.wav"
sox "$tmp/hold.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer hold.wav reverb 30 norm -12 trim 0 8
