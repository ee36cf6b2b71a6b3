package media

// G.711 (ITU-T Rec. G.711) A-law and µ-law companding of 8 kHz telephone audio.
//
// The conversions are bit-exact with the ITU-T reference implementation, the
// G.191 Software Tool Library's g711.c (alaw_compress, alaw_expand,
// ulaw_compress, ulaw_expand), fed with 16-bit samples. Each is one lookup per
// sample in a table built once when the program starts: decoding indexes a
// 256-entry table by the code; encoding indexes a table by the sample's top 12
// (A-law) or 14 (µ-law) bits, the only bits G.711 reads. Transcoding between
// the laws uses the direct code-to-code tables of G.711 (Tables 3 and 4, as
// Sun's reference g711.c carries them), not a trip through linear PCM.
//
// The functions allocate nothing and are safe for concurrent use.

// DecodeALaw decodes A-law codes into 16-bit linear samples: dst[i] is src[i]
// decoded. len(dst) must be at least len(src).
func DecodeALaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = alawDecode[c]
	}
}

// DecodeULaw decodes µ-law codes into 16-bit linear samples: dst[i] is src[i]
// decoded. len(dst) must be at least len(src).
func DecodeULaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = ulawDecode[c]
	}
}

// EncodeALaw encodes 16-bit linear samples as A-law codes: dst[i] is src[i]
// encoded. len(dst) must be at least len(src).
func EncodeALaw(dst []byte, src []int16) {
	dst = dst[:len(src)]
	for i, s := range src {
		dst[i] = alawEncode[uint16(s)>>4]
	}
}

// EncodeULaw encodes 16-bit linear samples as µ-law codes: dst[i] is src[i]
// encoded. len(dst) must be at least len(src).
func EncodeULaw(dst []byte, src []int16) {
	dst = dst[:len(src)]
	for i, s := range src {
		dst[i] = ulawEncode[uint16(s)>>2]
	}
}

// ALawToULaw converts A-law codes to µ-law codes (G.711 Table 3). len(dst)
// must be at least len(src); dst and src may be the same slice.
func ALawToULaw(dst, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = alawToULaw[c]
	}
}

// ULawToALaw converts µ-law codes to A-law codes (G.711 Table 4). len(dst)
// must be at least len(src); dst and src may be the same slice.
func ULawToALaw(dst, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = ulawToALaw[c]
	}
}

// The tables, computed once from the reference algorithms below.
var (
	alawDecode = codeTable(alawExpand)
	ulawDecode = codeTable(ulawExpand)
	alawEncode = func() (t [1 << 12]byte) {
		for i := range t {
			t[i] = alawCompress(int16(i << 4))
		}
		return t
	}()
	ulawEncode = func() (t [1 << 14]byte) {
		for i := range t {
			t[i] = ulawCompress(int16(i << 2))
		}
		return t
	}()
	alawToULaw = codeTable(func(a byte) byte {
		if a&0x80 != 0 {
			return 0xFF ^ g711A2U[a^0xD5]
		}
		return 0x7F ^ g711A2U[a^0x55]
	})
	ulawToALaw = codeTable(func(u byte) byte {
		if u&0x80 != 0 {
			return 0xD5 ^ (g711U2A[0xFF^u] - 1)
		}
		return 0x55 ^ (g711U2A[0x7F^u] - 1)
	})
)

// codeTable tabulates f over all 256 codes.
func codeTable[T any](f func(byte) T) (t [256]T) {
	for i := range t {
		t[i] = f(byte(i))
	}
	return t
}

// alawCompress is G.191's alaw_compress for one sample.
func alawCompress(x int16) byte {
	var ix int16
	if x < 0 {
		ix = ^x >> 4 // one's complement for negative values
	} else {
		ix = x >> 4
	}
	if ix > 15 {
		exp := int16(1)
		for ix > 16+15 {
			ix >>= 1
			exp++
		}
		ix -= 16
		ix += exp << 4
	}
	if x >= 0 {
		ix |= 0x80
	}
	return byte(ix) ^ 0x55
}

// alawExpand is G.191's alaw_expand for one code.
func alawExpand(code byte) int16 {
	ix := int16(code^0x55) & 0x7F
	exp := ix >> 4
	mant := ix & 0x0F
	if exp > 0 {
		mant += 16
	}
	mant = mant<<4 + 8
	if exp > 1 {
		mant <<= exp - 1
	}
	if code > 127 {
		return mant
	}
	return -mant
}

// ulawCompress is G.191's ulaw_compress for one sample.
func ulawCompress(x int16) byte {
	var abs int16
	if x < 0 {
		abs = ^x>>2 + 33
	} else {
		abs = x>>2 + 33
	}
	abs = min(abs, 0x1FFF)
	seg := int16(1)
	for i := abs >> 6; i != 0; i >>= 1 {
		seg++
	}
	high := 8 - seg
	low := 0x0F - (abs>>seg)&0x0F
	code := byte(high<<4 | low)
	if x >= 0 {
		code |= 0x80
	}
	return code
}

// ulawExpand is G.191's ulaw_expand for one code.
func ulawExpand(code byte) int16 {
	sign := int32(1)
	if code < 0x80 {
		sign = -1
	}
	m := int32(^code)
	exp := m >> 4 & 0x07
	seg := exp + 1
	m &= 0x0F
	step := int32(4) << seg
	return int16(sign * (0x80<<exp + step*m + step/2 - 4*33))
}

// g711U2A and g711A2U are G.711's µ-law to A-law and A-law to µ-law tables
// for the magnitudes 0-127, numbered from 1 as the Recommendation numbers
// them.
var (
	g711U2A = [128]byte{
		1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
		9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
		25, 27, 29, 31, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
		46, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62,
		64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79,
		81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96,
		97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112,
		113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128,
	}
	g711A2U = [128]byte{
		1, 3, 5, 7, 9, 11, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23,
		24, 25, 26, 27, 28, 29, 30, 31, 32, 32, 33, 33, 34, 34, 35, 35,
		36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 48, 49, 49,
		50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 64,
		65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 79,
		80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95,
		96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
		112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
	}
)
