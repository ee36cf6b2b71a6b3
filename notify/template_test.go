package notify_test

import (
	"strings"
	"testing"
	"time"

	"hotline/notify"
)

func TestTemplatesWriteVietnameseDates(t *testing.T) {
	t.Parallel()
	tpl, err := notify.Template("t", `Hạn xử lý: {{gio .At}} ({{thu .At}}, ngày {{ngay .At}})`)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 17, 30, 0, 0, time.UTC) // 00:30 on Monday 2 March in Vietnam
	got, err := notify.Render(tpl, map[string]any{"At": at})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Hạn xử lý: 00:30 02/03/2026 (Thứ Hai, ngày 02/03/2026)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := notify.Render(tpl, map[string]any{}); err == nil || !strings.Contains(err.Error(), "At") {
		t.Errorf("a missing key: %v", err)
	}
	if _, err := notify.Template("bad", "{{.X"); err == nil {
		t.Error("a bad template parsed")
	}
}
