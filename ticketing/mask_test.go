package ticketing

import "testing"

func TestMasks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mask func(string) string
		in   string
		want string
	}{
		{"phone national", MaskPhone, "0912345678", "0912***678"},
		{"phone E.164", MaskPhone, "+84912345678", "+849***678"},
		{"phone landline", MaskPhone, "02623812345", "0262***345"},
		{"phone under 8 digits", MaskPhone, "1234567", "***"},
		{"phone short", MaskPhone, "113", "***"},
		{"phone empty", MaskPhone, "", ""},
		{"name", MaskName, "Nguyễn Văn An", "N*** V*** A"},
		{"name one word", MaskName, "Lan", "L"},
		{"name starts with a diacritic", MaskName, "Đặng Thị Ánh", "Đ*** T*** Á"},
		{"name extra spaces", MaskName, "  Trần   Bình ", "T*** B"},
		{"name empty", MaskName, "", ""},
		{"email", MaskEmail, "an@mail.vn", "a***@mail.vn"},
		{"email long", MaskEmail, "nguyen.van.an@ubnd.gov.vn", "n***@ubnd.gov.vn"},
		{"email without domain", MaskEmail, "an", "***"},
		{"email empty", MaskEmail, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.mask(tt.in); got != tt.want {
				t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestReporterMasked(t *testing.T) {
	t.Parallel()
	r := Reporter{Name: "Nguyễn Văn An", Phone: "0912345678", Email: "an@mail.vn"}
	want := Reporter{Name: "N*** V*** A", Phone: "0912***678", Email: "a***@mail.vn"}
	if got := r.Masked(); got != want {
		t.Errorf("Masked() = %+v, want %+v", got, want)
	}
}
