package ticketpg_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"hotline/ticketing"
)

func codes(ts []ticketing.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Code
	}
	return out
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.department("tnmt")
	e.department("qldt")
	call := e.call("+84 987 654 321", "1001")
	day := func(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, vn) }
	now := day(20)
	mk := func(d int, n ticketing.NewTicket) ticketing.Ticket {
		return e.create(supervisor, ticketing.NewTicket{Channel: n.Channel, Description: n.Description, Field: n.Field,
			Department: n.Department, Reporter: n.Reporter, Location: n.Location, CallID: n.CallID,
			ReceivedAt: ptr(day(d))}, now)
	}
	// PA-2025-000001 … 000006, received on 3, 4, 5, 6, 7 and 10 March.
	noise := mk(3, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "Ô nhiễm tiếng ồn từ quán karaoke",
		Field: "vsmt", Department: "tnmt", Reporter: &ticketing.Reporter{Name: "Lê Thị Hoa", Phone: "0912345678"}})
	smoke := mk(4, ticketing.NewTicket{Channel: ticketing.Zalo, Description: "Khói ô nhiễm từ lò gạch",
		Location: &ticketing.Location{Address: "Đường Nguyễn Đình Chiểu"}})
	light := mk(5, ticketing.NewTicket{Channel: ticketing.Web, Description: "Đèn đường không sáng", Field: "htdt",
		Department: "qldt", CallID: &call})
	market := mk(6, ticketing.NewTicket{Channel: ticketing.FieldReport, Description: "Lấn chiếm lòng đường chợ",
		Field: "ttdt", Department: "qldt", Reporter: &ticketing.Reporter{Name: "Phạm Văn Đức", Phone: "+84912345678"}})
	dog := mk(7, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "Chó thả rông không rọ mõm"})
	recent := mk(10, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "Ngập nước sau mưa", Field: "htdt"})
	// The noise is resolved; the market in progress with a deadline extended past now.
	e.update(operator, noise.ID, ticketing.Patch{Status: ptr(ticketing.InProgress)}, now)
	e.update(operator, noise.ID, ticketing.Patch{Status: ptr(ticketing.Resolved), Result: ptr("Đã nhắc nhở")}, now)
	e.update(operator, market.ID, ticketing.Patch{Status: ptr(ticketing.InProgress)}, now)
	e.update(supervisor, market.ID, ticketing.Patch{ExtendTo: ptr(day(28)), Reason: ptr("chờ liên ngành"), LegalBasis: ptr("QĐ 12/2024")}, now)

	all := []ticketing.Ticket{recent, dog, market, light, smoke, noise}
	tests := []struct {
		name string
		f    ticketing.Filter
		want []ticketing.Ticket
	}{
		{"nothing", ticketing.Filter{}, all},
		{"status", ticketing.Filter{Status: "assigned"}, []ticketing.Ticket{light}},
		{"status new", ticketing.Filter{Status: "new"}, []ticketing.Ticket{recent, dog, smoke}},
		{"field", ticketing.Filter{Field: "htdt"}, []ticketing.Ticket{recent, light}},
		{"department", ticketing.Filter{Department: "qldt"}, []ticketing.Ticket{market, light}},
		{"channel", ticketing.Filter{Channel: "hotline"}, []ticketing.Ticket{recent, dog, noise}},
		{"overdue", ticketing.Filter{Overdue: ptr(true)}, []ticketing.Ticket{recent, dog, light, smoke}},
		{"not overdue", ticketing.Filter{Overdue: ptr(false)}, []ticketing.Ticket{market, noise}},
		{"from", ticketing.Filter{From: day(6)}, []ticketing.Ticket{recent, dog, market}},
		{"to", ticketing.Filter{To: day(5)}, []ticketing.Ticket{smoke, noise}},
		{"from and to", ticketing.Filter{From: day(4), To: day(7)}, []ticketing.Ticket{market, light, smoke}},
		{"text with diacritics", ticketing.Filter{Q: "ô nhiễm"}, []ticketing.Ticket{smoke, noise}},
		{"text without diacritics", ticketing.Filter{Q: "o nhiem"}, []ticketing.Ticket{smoke, noise}},
		{"text in capitals", ticketing.Filter{Q: "Ô NHIỄM"}, []ticketing.Ticket{smoke, noise}},
		{"text prefix of the last word", ticketing.Filter{Q: "tiếng kara"}, []ticketing.Ticket{noise}},
		{"one letter is a word, not a prefix", ticketing.Filter{Q: "Đ"}, nil},
		{"text of the address", ticketing.Filter{Q: "dinh chieu"}, []ticketing.Ticket{smoke}},
		{"text of the reporter's name", ticketing.Filter{Q: "Phạm Đức"}, []ticketing.Ticket{market}},
		{"text of the code", ticketing.Filter{Q: "PA-2025-000005"}, []ticketing.Ticket{dog}},
		{"text of the code's number", ticketing.Filter{Q: "000005"}, []ticketing.Ticket{dog}},
		{"text that is not there", ticketing.Filter{Q: "hỏa hoạn"}, nil},
		{"text in decomposed form", ticketing.Filter{Q: "đe\u0300n đươ\u0300ng"}, []ticketing.Ticket{light}},
		{"number national", ticketing.Filter{Number: "0912345678"}, []ticketing.Ticket{market, noise}},
		{"number E.164", ticketing.Filter{Number: "+84912345678"}, []ticketing.Ticket{market, noise}},
		{"number with separators", ticketing.Filter{Number: "0912.345.678"}, []ticketing.Ticket{market, noise}},
		{"number of a linked call", ticketing.Filter{Number: "0987654321"}, []ticketing.Ticket{light}},
		{"number unknown", ticketing.Filter{Number: "0900000000"}, nil},
		{"everything", ticketing.Filter{Status: "new", Channel: "zalo", Overdue: ptr(true), From: day(1), To: day(31), Q: "o nhiem"},
			[]ticketing.Ticket{smoke}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, next, err := e.store.List(e.ctx, supervisor, tt.f, now)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(codes(got), codes(tt.want)) || next != "" {
				t.Errorf("got %v (next %q), want %v", codes(got), next, codes(tt.want))
			}
			for _, tk := range got {
				if tk.Overdue != tk.IsOverdue(now) {
					t.Errorf("%s: overdue %v", tk.Code, tk.Overdue)
				}
			}
		})
	}
}

// 250 tickets, some received at the same instant, come page after page, newest first, each once.
func TestListCursorPaging(t *testing.T) {
	t.Parallel()
	e := setup(t)
	const n = 250
	now := time.Date(2025, 6, 30, 9, 0, 0, 0, vn)
	for i := range n {
		at := time.Date(2025, 6, 1, 8, 0, 0, 0, vn).Add(time.Duration(i/3) * time.Hour) // three at each instant
		e.create(supervisor, ticketing.NewTicket{Channel: ticketing.Web, Description: fmt.Sprintf("phản ánh %d", i), ReceivedAt: &at}, now)
	}
	for _, limit := range []int{1, 7, 50, 250, 500} {
		var seen []ticketing.Ticket
		cursor := ""
		pages := 0
		for {
			page, next, err := e.store.List(e.ctx, operator, ticketing.Filter{Limit: limit, Cursor: cursor}, now)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			seen = append(seen, page...)
			if next == "" {
				break
			}
			if len(page) != limit {
				t.Fatalf("limit %d: a page of %d before the last", limit, len(page))
			}
			cursor = next
		}
		if len(seen) != n || pages != (n+limit-1)/limit {
			t.Fatalf("limit %d: %d tickets in %d pages", limit, len(seen), pages)
		}
		ids := map[uuid.UUID]bool{}
		for i, tk := range seen {
			ids[tk.ID] = true
			if i > 0 {
				prev := seen[i-1]
				if tk.ReceivedAt.After(prev.ReceivedAt) || tk.ReceivedAt.Equal(prev.ReceivedAt) && tk.ID.String() > prev.ID.String() {
					t.Fatalf("limit %d: %s after %s", limit, tk.Code, prev.Code)
				}
			}
		}
		if len(ids) != n {
			t.Fatalf("limit %d: %d distinct tickets", limit, len(ids))
		}
	}
	// The limit is clamped; a cursor that List did not make is refused.
	if page, _, err := e.store.List(e.ctx, operator, ticketing.Filter{Limit: 10000}, now); err != nil || len(page) != n {
		t.Errorf("limit 10000: %d, %v", len(page), err)
	}
	if _, _, err := e.store.List(e.ctx, operator, ticketing.Filter{Cursor: "bm9wZQ"}, now); !errors.Is(err, ticketing.ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
}

// During a call: the caller's tickets by number, open ones first, then newest first.
func TestByNumber(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.department("xd")
	day := func(d int) *time.Time { return ptr(time.Date(2025, 3, d, 9, 0, 0, 0, vn)) }
	now := time.Date(2025, 3, 20, 9, 0, 0, 0, vn)
	me := &ticketing.Reporter{Name: "Võ Văn Tám", Phone: "0905111222"}
	oldOpen := e.create(supervisor, ticketing.NewTicket{Channel: ticketing.Zalo, Description: "a", Reporter: me, ReceivedAt: day(3)}, now)
	closed := e.create(supervisor, ticketing.NewTicket{Channel: ticketing.Zalo, Description: "b", Reporter: me, ReceivedAt: day(10)}, now)
	e.update(supervisor, closed.ID, ticketing.Patch{Status: ptr(ticketing.Rejected), Reason: ptr("trùng")}, now)
	c := e.call("+84905111222", "")
	byCall := e.create(supervisor, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "c", CallID: &c, ReceivedAt: day(5)}, now)
	dup := e.create(supervisor, ticketing.NewTicket{Channel: ticketing.Web, Description: "d", Reporter: me, ReceivedAt: day(6)}, now)
	into := e.create(supervisor, ticketing.NewTicket{Channel: ticketing.Web, Description: "e", ReceivedAt: day(1)}, now)
	e.update(supervisor, dup.ID, ticketing.Patch{Status: ptr(ticketing.Merged), MergedInto: ptr(into.Code)}, now)
	e.create(supervisor, ticketing.NewTicket{Channel: ticketing.Web, Description: "someone else", Reporter: &ticketing.Reporter{Phone: "0905111223"}}, now)

	for _, number := range []string{"0905111222", "+84905111222", "84905111222", "0905 111 222"} {
		got, err := e.store.ByNumber(e.ctx, operator, number, now)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{byCall.Code, oldOpen.Code, into.Code, closed.Code}
		if !slices.Equal(codes(got), want) {
			t.Errorf("%s: %v, want %v", number, codes(got), want)
		}
		for _, tk := range got {
			if tk.DeadlineAt.IsZero() {
				t.Errorf("%s without its deadline", tk.Code)
			}
		}
	}
	if got, err := e.store.ByNumber(e.ctx, operator, "", now); err != nil || len(got) != 0 {
		t.Errorf("no number: %v, %v", got, err)
	}
}
