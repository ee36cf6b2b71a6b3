package escalation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"hotline/ticketing"
)

// A report whose breached list would not fit in an e-mail keeps the most late tickets, in both the text
// and the HTML, and says how many more there are.
func TestTheDailyReportsMailIsCutToFit(t *testing.T) {
	t.Parallel()
	zone := ticketing.Zone()
	day := time.Date(2026, 3, 5, 0, 0, 0, 0, zone)
	r := Report{From: day, To: day.AddDate(0, 0, 1), At: day.Add(31*time.Hour + 30*time.Minute), OfficeDayHours: 7.5,
		Total: Row{Name: "Tổng cộng"}}
	const n = 12000
	for i := range n {
		late := float64(n - i) // most late first, as Report sorts them
		r.Breached = append(r.Breached, BreachedTicket{
			ID: uuid.New(), Code: fmt.Sprintf("PA-2026-%06d", i+1), FieldName: "Hạ tầng đô thị",
			DepartmentName: "Sở Giao thông vận tải", Status: ticketing.InProgress, ReceivedAt: day.AddDate(0, -1, 0),
			DeadlineAt: day.AddDate(0, 0, -1), LateHours: late, LateDays: late / 7.5,
		})
	}
	html, err := reportHTML(r)
	if err != nil {
		t.Fatal(err)
	}
	text, err := reportText(r)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"HTML": html, "text": text} {
		s := string(b)
		if len(b) > maxReportBody {
			t.Errorf("%s: %d bytes, more than %d", name, len(b), maxReportBody)
		}
		if !strings.Contains(s, "PA-2026-000001") || strings.Contains(s, fmt.Sprintf("PA-2026-%06d", n)) {
			t.Errorf("%s: the most late ticket should be kept and the least late left out", name)
		}
		kept := strings.Count(s, "PA-2026-")
		if kept < 100 || kept >= n {
			t.Errorf("%s: %d tickets kept of %d", name, kept, n)
		}
		if more := fmt.Sprintf("… và %d phản ánh quá hạn khác", n-kept); !strings.Contains(s, more) {
			t.Errorf("%s: no line %q", name, more)
		}
	}
	if !strings.Contains(string(html), fmt.Sprintf("Phản ánh quá hạn (%d)", n)) {
		t.Errorf("the HTML's heading does not count every breached ticket")
	}
}
