#!/usr/bin/env bash
# Makes the embedded sounds again (needs espeak-ng and sox): `make prompts`.
# Each is 8 kHz, 16-bit, mono PCM, as media.LoadWAV wants.
set -euo pipefail
cd "$(dirname "$0")/sounds"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() { # say NAME TEXT: a Vietnamese prompt
	espeak-ng -v vi -s 140 -w "$tmp/$1.raw.wav" "$2"
	sox -D "$tmp/$1.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$1.wav" norm -3
}

say greeting "Đường dây nóng tiếp nhận phản ánh, kiến nghị xin chào. Cuộc gọi của bạn được ghi âm."
say position "Quý khách đang ở vị trí số"
say please-hold "Xin quý khách vui lòng giữ máy."
say all-busy "Xin lỗi, hiện tất cả điện thoại viên đều bận. Xin quý khách để lại lời nhắn sau tiếng bíp, chúng tôi sẽ gọi lại."
say nobody "Xin lỗi, hiện chưa có điện thoại viên trực. Xin quý khách để lại lời nhắn sau tiếng bíp, chúng tôi sẽ gọi lại."
say goodbye "Cảm ơn quý khách. Xin chào."

# Number words, from which positions in the line are spoken (see numbers.go), with their silence trimmed
# so that words follow each other as in speech.
word() { # word NAME TEXT
	espeak-ng -v vi -s 150 -w "$tmp/$1.raw.wav" "$2"
	sox -D "$tmp/$1.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$1.wav" norm -3 \
		silence 1 0.02 1% reverse silence 1 0.02 1% reverse pad 0 0.06
}
for w in khong:không mot:một mot2:mốt hai:hai ba:ba bon:bốn tu:tư nam:năm lam:lăm sau:sáu bay:bảy tam:tám chin:chín muoi:mười muoi2:mươi tram:trăm linh:linh; do
	word "n-${w%%:*}" "${w#*:}"
done

# A beep before a message is recorded.
sox -n -r 8000 -c 1 -b 16 -e signed-integer beep.wav synth 0.4 sine 1000 vol 0.4 fade 0 0.4 0.02

# Hold audio: a soft plucked arpeggio, 8 s, looped by the player.
i=0
for n in C4 E4 G4 C5 G4 E4 F4 A4 C5 F5 C5 A4 G4 B4 D5 G5 D5 B4 C5 G4; do
	i=$((i + 1))
	sox -n -r 8000 -c 1 -b 16 "$tmp/note$(printf %02d $i).wav" synth 0.4 pluck "$n" fade 0 0.4 0.15 vol 0.5
done
sox "$tmp"/note*.wav "$tmp/hold.raw.wav"
sox -D "$tmp/hold.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer hold.wav reverb 30 norm -12 trim 0 8
