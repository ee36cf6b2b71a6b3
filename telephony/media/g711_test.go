package media

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"testing"
)

// The expected tables below come from outside this package: the decode
// tables from Python's audioop (Sun's g711.c), the transcoding tables from
// Sun's g711.c alaw2ulaw and ulaw2alaw over all 256 codes.

var wantALawToULaw = [256]byte{
	0x2A, 0x2B, 0x28, 0x29, 0x2E, 0x2F, 0x2C, 0x2D,
	0x22, 0x23, 0x20, 0x21, 0x26, 0x27, 0x24, 0x25,
	0x39, 0x3A, 0x37, 0x38, 0x3D, 0x3E, 0x3B, 0x3C,
	0x31, 0x32, 0x30, 0x30, 0x35, 0x36, 0x33, 0x34,
	0x0A, 0x0B, 0x08, 0x09, 0x0E, 0x0F, 0x0C, 0x0D,
	0x02, 0x03, 0x00, 0x01, 0x06, 0x07, 0x04, 0x05,
	0x1A, 0x1B, 0x18, 0x19, 0x1E, 0x1F, 0x1C, 0x1D,
	0x12, 0x13, 0x10, 0x11, 0x16, 0x17, 0x14, 0x15,
	0x62, 0x63, 0x60, 0x61, 0x66, 0x67, 0x64, 0x65,
	0x5D, 0x5D, 0x5C, 0x5C, 0x5F, 0x5F, 0x5E, 0x5E,
	0x74, 0x76, 0x70, 0x72, 0x7C, 0x7E, 0x78, 0x7A,
	0x6A, 0x6B, 0x68, 0x69, 0x6E, 0x6F, 0x6C, 0x6D,
	0x48, 0x49, 0x46, 0x47, 0x4C, 0x4D, 0x4A, 0x4B,
	0x40, 0x41, 0x3F, 0x3F, 0x44, 0x45, 0x42, 0x43,
	0x56, 0x57, 0x54, 0x55, 0x5A, 0x5B, 0x58, 0x59,
	0x4F, 0x4F, 0x4E, 0x4E, 0x52, 0x53, 0x50, 0x51,
	0xAA, 0xAB, 0xA8, 0xA9, 0xAE, 0xAF, 0xAC, 0xAD,
	0xA2, 0xA3, 0xA0, 0xA1, 0xA6, 0xA7, 0xA4, 0xA5,
	0xB9, 0xBA, 0xB7, 0xB8, 0xBD, 0xBE, 0xBB, 0xBC,
	0xB1, 0xB2, 0xB0, 0xB0, 0xB5, 0xB6, 0xB3, 0xB4,
	0x8A, 0x8B, 0x88, 0x89, 0x8E, 0x8F, 0x8C, 0x8D,
	0x82, 0x83, 0x80, 0x81, 0x86, 0x87, 0x84, 0x85,
	0x9A, 0x9B, 0x98, 0x99, 0x9E, 0x9F, 0x9C, 0x9D,
	0x92, 0x93, 0x90, 0x91, 0x96, 0x97, 0x94, 0x95,
	0xE2, 0xE3, 0xE0, 0xE1, 0xE6, 0xE7, 0xE4, 0xE5,
	0xDD, 0xDD, 0xDC, 0xDC, 0xDF, 0xDF, 0xDE, 0xDE,
	0xF4, 0xF6, 0xF0, 0xF2, 0xFC, 0xFE, 0xF8, 0xFA,
	0xEA, 0xEB, 0xE8, 0xE9, 0xEE, 0xEF, 0xEC, 0xED,
	0xC8, 0xC9, 0xC6, 0xC7, 0xCC, 0xCD, 0xCA, 0xCB,
	0xC0, 0xC1, 0xBF, 0xBF, 0xC4, 0xC5, 0xC2, 0xC3,
	0xD6, 0xD7, 0xD4, 0xD5, 0xDA, 0xDB, 0xD8, 0xD9,
	0xCF, 0xCF, 0xCE, 0xCE, 0xD2, 0xD3, 0xD0, 0xD1,
}
var wantULawToALaw = [256]byte{
	0x2A, 0x2B, 0x28, 0x29, 0x2E, 0x2F, 0x2C, 0x2D,
	0x22, 0x23, 0x20, 0x21, 0x26, 0x27, 0x24, 0x25,
	0x3A, 0x3B, 0x38, 0x39, 0x3E, 0x3F, 0x3C, 0x3D,
	0x32, 0x33, 0x30, 0x31, 0x36, 0x37, 0x34, 0x35,
	0x0A, 0x0B, 0x08, 0x09, 0x0E, 0x0F, 0x0C, 0x0D,
	0x02, 0x03, 0x00, 0x01, 0x06, 0x07, 0x04, 0x05,
	0x1B, 0x18, 0x19, 0x1E, 0x1F, 0x1C, 0x1D, 0x12,
	0x13, 0x10, 0x11, 0x16, 0x17, 0x14, 0x15, 0x6A,
	0x68, 0x69, 0x6E, 0x6F, 0x6C, 0x6D, 0x62, 0x63,
	0x60, 0x61, 0x66, 0x67, 0x64, 0x65, 0x7A, 0x78,
	0x7E, 0x7F, 0x7C, 0x7D, 0x72, 0x73, 0x70, 0x71,
	0x76, 0x77, 0x74, 0x75, 0x4B, 0x49, 0x4F, 0x4D,
	0x42, 0x43, 0x40, 0x41, 0x46, 0x47, 0x44, 0x45,
	0x5A, 0x5B, 0x58, 0x59, 0x5E, 0x5F, 0x5C, 0x5D,
	0x52, 0x52, 0x53, 0x53, 0x50, 0x50, 0x51, 0x51,
	0x56, 0x56, 0x57, 0x57, 0x54, 0x54, 0x55, 0x55,
	0xAA, 0xAB, 0xA8, 0xA9, 0xAE, 0xAF, 0xAC, 0xAD,
	0xA2, 0xA3, 0xA0, 0xA1, 0xA6, 0xA7, 0xA4, 0xA5,
	0xBA, 0xBB, 0xB8, 0xB9, 0xBE, 0xBF, 0xBC, 0xBD,
	0xB2, 0xB3, 0xB0, 0xB1, 0xB6, 0xB7, 0xB4, 0xB5,
	0x8A, 0x8B, 0x88, 0x89, 0x8E, 0x8F, 0x8C, 0x8D,
	0x82, 0x83, 0x80, 0x81, 0x86, 0x87, 0x84, 0x85,
	0x9B, 0x98, 0x99, 0x9E, 0x9F, 0x9C, 0x9D, 0x92,
	0x93, 0x90, 0x91, 0x96, 0x97, 0x94, 0x95, 0xEA,
	0xE8, 0xE9, 0xEE, 0xEF, 0xEC, 0xED, 0xE2, 0xE3,
	0xE0, 0xE1, 0xE6, 0xE7, 0xE4, 0xE5, 0xFA, 0xF8,
	0xFE, 0xFF, 0xFC, 0xFD, 0xF2, 0xF3, 0xF0, 0xF1,
	0xF6, 0xF7, 0xF4, 0xF5, 0xCB, 0xC9, 0xCF, 0xCD,
	0xC2, 0xC3, 0xC0, 0xC1, 0xC6, 0xC7, 0xC4, 0xC5,
	0xDA, 0xDB, 0xD8, 0xD9, 0xDE, 0xDF, 0xDC, 0xDD,
	0xD2, 0xD2, 0xD3, 0xD3, 0xD0, 0xD0, 0xD1, 0xD1,
	0xD6, 0xD6, 0xD7, 0xD7, 0xD4, 0xD4, 0xD5, 0xD5,
}
var wantALawDecode = [256]int16{
	-5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736,
	-7552, -7296, -8064, -7808, -6528, -6272, -7040, -6784,
	-2752, -2624, -3008, -2880, -2240, -2112, -2496, -2368,
	-3776, -3648, -4032, -3904, -3264, -3136, -3520, -3392,
	-22016, -20992, -24064, -23040, -17920, -16896, -19968, -18944,
	-30208, -29184, -32256, -31232, -26112, -25088, -28160, -27136,
	-11008, -10496, -12032, -11520, -8960, -8448, -9984, -9472,
	-15104, -14592, -16128, -15616, -13056, -12544, -14080, -13568,
	-344, -328, -376, -360, -280, -264, -312, -296,
	-472, -456, -504, -488, -408, -392, -440, -424,
	-88, -72, -120, -104, -24, -8, -56, -40,
	-216, -200, -248, -232, -152, -136, -184, -168,
	-1376, -1312, -1504, -1440, -1120, -1056, -1248, -1184,
	-1888, -1824, -2016, -1952, -1632, -1568, -1760, -1696,
	-688, -656, -752, -720, -560, -528, -624, -592,
	-944, -912, -1008, -976, -816, -784, -880, -848,
	5504, 5248, 6016, 5760, 4480, 4224, 4992, 4736,
	7552, 7296, 8064, 7808, 6528, 6272, 7040, 6784,
	2752, 2624, 3008, 2880, 2240, 2112, 2496, 2368,
	3776, 3648, 4032, 3904, 3264, 3136, 3520, 3392,
	22016, 20992, 24064, 23040, 17920, 16896, 19968, 18944,
	30208, 29184, 32256, 31232, 26112, 25088, 28160, 27136,
	11008, 10496, 12032, 11520, 8960, 8448, 9984, 9472,
	15104, 14592, 16128, 15616, 13056, 12544, 14080, 13568,
	344, 328, 376, 360, 280, 264, 312, 296,
	472, 456, 504, 488, 408, 392, 440, 424,
	88, 72, 120, 104, 24, 8, 56, 40,
	216, 200, 248, 232, 152, 136, 184, 168,
	1376, 1312, 1504, 1440, 1120, 1056, 1248, 1184,
	1888, 1824, 2016, 1952, 1632, 1568, 1760, 1696,
	688, 656, 752, 720, 560, 528, 624, 592,
	944, 912, 1008, 976, 816, 784, 880, 848,
}
var wantULawDecode = [256]int16{
	-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956,
	-23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764,
	-15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412,
	-11900, -11388, -10876, -10364, -9852, -9340, -8828, -8316,
	-7932, -7676, -7420, -7164, -6908, -6652, -6396, -6140,
	-5884, -5628, -5372, -5116, -4860, -4604, -4348, -4092,
	-3900, -3772, -3644, -3516, -3388, -3260, -3132, -3004,
	-2876, -2748, -2620, -2492, -2364, -2236, -2108, -1980,
	-1884, -1820, -1756, -1692, -1628, -1564, -1500, -1436,
	-1372, -1308, -1244, -1180, -1116, -1052, -988, -924,
	-876, -844, -812, -780, -748, -716, -684, -652,
	-620, -588, -556, -524, -492, -460, -428, -396,
	-372, -356, -340, -324, -308, -292, -276, -260,
	-244, -228, -212, -196, -180, -164, -148, -132,
	-120, -112, -104, -96, -88, -80, -72, -64,
	-56, -48, -40, -32, -24, -16, -8, 0,
	32124, 31100, 30076, 29052, 28028, 27004, 25980, 24956,
	23932, 22908, 21884, 20860, 19836, 18812, 17788, 16764,
	15996, 15484, 14972, 14460, 13948, 13436, 12924, 12412,
	11900, 11388, 10876, 10364, 9852, 9340, 8828, 8316,
	7932, 7676, 7420, 7164, 6908, 6652, 6396, 6140,
	5884, 5628, 5372, 5116, 4860, 4604, 4348, 4092,
	3900, 3772, 3644, 3516, 3388, 3260, 3132, 3004,
	2876, 2748, 2620, 2492, 2364, 2236, 2108, 1980,
	1884, 1820, 1756, 1692, 1628, 1564, 1500, 1436,
	1372, 1308, 1244, 1180, 1116, 1052, 988, 924,
	876, 844, 812, 780, 748, 716, 684, 652,
	620, 588, 556, 524, 492, 460, 428, 396,
	372, 356, 340, 324, 308, 292, 276, 260,
	244, 228, 212, 196, 180, 164, 148, 132,
	120, 112, 104, 96, 88, 80, 72, 64,
	56, 48, 40, 32, 24, 16, 8, 0,
}

func TestDecodeTables(t *testing.T) {
	t.Parallel()
	src := make([]byte, 256)
	for i := range src {
		src[i] = byte(i)
	}
	tests := []struct {
		name   string
		decode func([]int16, []byte)
		want   [256]int16
	}{
		{"A-law", DecodeALaw, wantALawDecode},
		{"µ-law", DecodeULaw, wantULawDecode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := make([]int16, 256)
			tt.decode(got, src)
			for c := range got {
				if got[c] != tt.want[c] {
					t.Errorf("decode 0x%02X = %d, want %d", c, got[c], tt.want[c])
				}
			}
		})
	}
}

func TestKnownValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pcm   int16
		alaw  byte
		ulaw  byte
		alawD int16 // alaw decoded
		ulawD int16 // ulaw decoded
	}{
		{"zero", 0, 0xD5, 0xFF, 8, 0},
		{"one", 1, 0xD5, 0xFF, 8, 0},
		{"minus one", -1, 0x55, 0x7F, -8, 0},
		{"smallest µ-law step", 4, 0xD5, 0xFE, 8, 8},
		{"first A-law step", 16, 0xD4, 0xFD, 24, 16},
		{"minus seventeen", -17, 0x54, 0x7D, -24, -16},
		{"hundred", 100, 0xD3, 0xF2, 104, 104},
		{"minus hundred", -100, 0x53, 0x73, -104, -96},
		{"thousand", 1000, 0xFA, 0xCE, 1008, 988},
		{"minus thousand", -1000, 0x7A, 0x4E, -1008, -988},
		{"4096", 4096, 0x85, 0xAF, 4224, 4092},
		{"largest µ-law level", 32124, 0xAA, 0x80, 32256, 32124},
		{"max", math.MaxInt16, 0xAA, 0x80, 32256, 32124},
		{"min", math.MinInt16, 0x2A, 0x00, -32256, -32124},
		// G.191 takes the one's complement of negative samples: here it
		// differs from Sun's g711.c, which gives 0x00.
		{"µ-law segment edge, negative", -31612, 0x2B, 0x01, -31232, -31100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, u := make([]byte, 1), make([]byte, 1)
			EncodeALaw(a, []int16{tt.pcm})
			EncodeULaw(u, []int16{tt.pcm})
			if a[0] != tt.alaw || u[0] != tt.ulaw {
				t.Errorf("encode %d = A 0x%02X µ 0x%02X, want A 0x%02X µ 0x%02X", tt.pcm, a[0], u[0], tt.alaw, tt.ulaw)
			}
			d := make([]int16, 1)
			if DecodeALaw(d, a); d[0] != tt.alawD {
				t.Errorf("A-law decode 0x%02X = %d, want %d", a[0], d[0], tt.alawD)
			}
			if DecodeULaw(d, u); d[0] != tt.ulawD {
				t.Errorf("µ-law decode 0x%02X = %d, want %d", u[0], d[0], tt.ulawD)
			}
		})
	}
}

// TestEncodeAllSamples encodes every 16-bit sample and compares the digest of
// the 65,536 codes (samples -32768 to 32767 in order) with that of the G.191
// reference, ulaw_compress and alaw_compress, run over the same samples. The
// A-law digest is also that of Python's audioop.lin2alaw.
func TestEncodeAllSamples(t *testing.T) {
	t.Parallel()
	pcm := make([]int16, 1<<16)
	for i := range pcm {
		pcm[i] = int16(i - 1<<15)
	}
	tests := []struct {
		name   string
		encode func([]byte, []int16)
		sha256 string
	}{
		{"A-law", EncodeALaw, "38488f6fd710f4686360edc4d38639f96c491595ef93f8eb8d62d5e07ca6ce7b"},
		{"µ-law", EncodeULaw, "90c29de505fb68e766118303bd552a16005dcf810873698bee1d8f3b247ce28c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := make([]byte, len(pcm))
			tt.encode(out, pcm)
			sum := sha256.Sum256(out)
			if got := hex.EncodeToString(sum[:]); got != tt.sha256 {
				t.Errorf("sha256 of all codes = %s, want %s", got, tt.sha256)
			}
		})
	}
}

func TestEncodeMonotonic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		encode func([]byte, []int16)
		decode func([]int16, []byte)
	}{
		{"A-law", EncodeALaw, DecodeALaw},
		{"µ-law", EncodeULaw, DecodeULaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pcm := make([]int16, 1<<16)
			for i := range pcm {
				pcm[i] = int16(i - 1<<15)
			}
			codes := make([]byte, len(pcm))
			back := make([]int16, len(pcm))
			tt.encode(codes, pcm)
			tt.decode(back, codes)
			for i := 1; i < len(back); i++ {
				if back[i] < back[i-1] {
					t.Fatalf("decode(encode(%d)) = %d < decode(encode(%d)) = %d", pcm[i], back[i], pcm[i-1], back[i-1])
				}
			}
		})
	}
}

func TestRoundTripCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		encode func([]byte, []int16)
		decode func([]int16, []byte)
		except map[byte]byte // code → what it comes back as
	}{
		{"A-law", EncodeALaw, DecodeALaw, nil},
		// µ-law has two zeros; 0x7F (negative zero) comes back as 0xFF.
		{"µ-law", EncodeULaw, DecodeULaw, map[byte]byte{0x7F: 0xFF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			codes := make([]byte, 256)
			for i := range codes {
				codes[i] = byte(i)
			}
			pcm := make([]int16, 256)
			back := make([]byte, 256)
			tt.decode(pcm, codes)
			tt.encode(back, pcm)
			for c := range codes {
				want := byte(c)
				if w, ok := tt.except[want]; ok {
					want = w
				}
				if back[c] != want {
					t.Errorf("encode(decode(0x%02X)) = 0x%02X, want 0x%02X", c, back[c], want)
				}
			}
		})
	}
}

func TestTranscodeTables(t *testing.T) {
	t.Parallel()
	src := make([]byte, 256)
	for i := range src {
		src[i] = byte(i)
	}
	tests := []struct {
		name  string
		conv  func(dst, src []byte)
		want  [256]byte
		dec   func([]int16, []byte) // decodes the input law
		decTo func([]int16, []byte) // decodes the output law
	}{
		{"A-law to µ-law", ALawToULaw, wantALawToULaw, DecodeALaw, DecodeULaw},
		{"µ-law to A-law", ULawToALaw, wantULawToALaw, DecodeULaw, DecodeALaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := make([]byte, 256)
			tt.conv(got, src)
			for c := range got {
				if got[c] != tt.want[c] {
					t.Errorf("0x%02X → 0x%02X, want 0x%02X", c, got[c], tt.want[c])
				}
			}
			// The tables keep the sign and the order of levels.
			in, out := make([]int16, 256), make([]int16, 256)
			tt.dec(in, src)
			tt.decTo(out, got)
			for c := range src {
				if in[c] != 0 && (in[c] < 0) != (out[c] < 0) {
					t.Errorf("0x%02X: %d becomes %d", c, in[c], out[c])
				}
				for d := range src {
					if in[c] < in[d] && out[c] > out[d] {
						t.Fatalf("order lost: %d < %d but %d > %d", in[c], in[d], out[c], out[d])
					}
				}
			}
			// In place works too.
			inPlace := append([]byte(nil), src...)
			tt.conv(inPlace, inPlace)
			if string(inPlace) != string(got) {
				t.Error("in-place conversion differs")
			}
		})
	}
}

func TestG711NoAllocs(t *testing.T) {
	pcm := make([]int16, FrameSamples)
	codes := make([]byte, FrameSamples)
	tests := []struct {
		name string
		f    func()
	}{
		{"DecodeALaw", func() { DecodeALaw(pcm, codes) }},
		{"DecodeULaw", func() { DecodeULaw(pcm, codes) }},
		{"EncodeALaw", func() { EncodeALaw(codes, pcm) }},
		{"EncodeULaw", func() { EncodeULaw(codes, pcm) }},
		{"ALawToULaw", func() { ALawToULaw(codes, codes) }},
		{"ULawToALaw", func() { ULawToALaw(codes, codes) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.f); n != 0 {
				t.Errorf("%s allocates %.1f times per frame", tt.name, n)
			}
		})
	}
}

func TestShortDestinationPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("DecodeALaw into a short slice did not panic")
		}
	}()
	DecodeALaw(make([]int16, 1), make([]byte, 2))
}

// frame160 is a 20 ms frame of a 440 Hz tone.
func frame160() ([]int16, []byte) {
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	codes := make([]byte, 160)
	EncodeALaw(codes, pcm)
	return pcm, codes
}

func BenchmarkG711(b *testing.B) {
	pcm, codes := frame160()
	out := make([]byte, len(codes))
	benches := []struct {
		name string
		f    func()
	}{
		{"DecodeALaw", func() { DecodeALaw(pcm, codes) }},
		{"DecodeULaw", func() { DecodeULaw(pcm, codes) }},
		{"EncodeALaw", func() { EncodeALaw(out, pcm) }},
		{"EncodeULaw", func() { EncodeULaw(out, pcm) }},
		{"ALawToULaw", func() { ALawToULaw(out, codes) }},
		{"ULawToALaw", func() { ULawToALaw(out, codes) }},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(codes)))
			for b.Loop() {
				bb.f()
			}
		})
	}
}
