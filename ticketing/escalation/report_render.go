package escalation

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/ticketing"
)

// WriteJSON writes the report as indented JSON (the shape of Report's JSON tags; times RFC 3339 with
// +07:00; rates as fractions 0–1; absent rates and medians null).
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// CSV headers: every record's first column names its section, so one file holds both tables.
var (
	csvRowHeader = []string{"section", "code", "name", "received", "resolved_on_time", "resolved_late",
		"open_overdue", "on_time_rate", "median_resolution_hours", "extensions", "notices", "acknowledged"}
	csvBreachedHeader = []string{"section", "code", "field", "department", "status", "received_at",
		"deadline_at", "resolved_at", "late_hours", "late_days", "acknowledged_at", "acknowledged_by"}
)

// WriteCSV writes the report as CSV (UTF-8, comma-separated, RFC 4180) in two tables, one after the other,
// each under its own header line; the first column of every line is its section: "department", "field"
// and "total" rows under the first header, "breached" tickets under the second. Rates are fractions 0–1,
// hours in working hours, empty where there is no value.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvRowHeader); err != nil {
		return err
	}
	row := func(section string, x Row) []string {
		return []string{section, x.Code, x.Name, itoa(x.Received), itoa(x.ResolvedOnTime), itoa(x.ResolvedLate),
			itoa(x.OpenOverdue), fnum(x.OnTimeRate), fnum(x.MedianResolutionHours), itoa(x.Extensions),
			itoa(x.Notices), itoa(x.Acknowledged)}
	}
	for _, x := range r.Departments {
		if err := cw.Write(row("department", x)); err != nil {
			return err
		}
	}
	for _, x := range r.Fields {
		if err := cw.Write(row("field", x)); err != nil {
			return err
		}
	}
	if err := cw.Write(row("total", r.Total)); err != nil {
		return err
	}
	if err := cw.Write(csvBreachedHeader); err != nil {
		return err
	}
	for _, b := range r.Breached {
		rec := []string{"breached", b.Code, b.Field, b.Department, string(b.Status), stamp(&b.ReceivedAt),
			stamp(&b.DeadlineAt), stamp(b.ResolvedAt), fnum(&b.LateHours), fnum(&b.LateDays),
			stamp(b.AcknowledgedAt), b.AcknowledgedBy}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func itoa(n int) string { return strconv.Itoa(n) }

func fnum(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339)
}

// Vietnamese ways of writing figures.

// viNum writes v with at most places decimals and a decimal comma: 11,25.
func viNum(v float64, places int) string {
	s := strconv.FormatFloat(round(v, places), 'f', -1, 64)
	return strings.Replace(s, ".", ",", 1)
}

// viRate writes a rate as a percentage, "—" when absent: 66,7%.
func viRate(v *float64) string {
	if v == nil {
		return "—"
	}
	return viNum(*v*100, 1) + "%"
}

// viHours writes a median in hours, "—" when absent.
func viHours(v *float64) string {
	if v == nil {
		return "—"
	}
	return viNum(*v, 1)
}

func viTime(t time.Time) string { return t.Format("15:04 02/01/2006") }

func viDate(t time.Time) string { return t.Format("02/01/2006") }

// viPeriod writes [from, to): whole days as dates ("04/03/2026", "01/03/2026 – 07/03/2026"), else times.
func viPeriod(from, to time.Time) string {
	midnight := func(t time.Time) bool { h, m, s := t.Clock(); return h == 0 && m == 0 && s == 0 }
	if midnight(from) && midnight(to) {
		last := to.AddDate(0, 0, -1)
		if last.Equal(from) {
			return viDate(from)
		}
		return viDate(from) + " – " + viDate(last)
	}
	return viTime(from) + " – " + viTime(to)
}

// lateText writes how late a ticket is: "1,5 ngày (11,25 giờ) làm việc", "3 giờ làm việc".
func lateText(b BreachedTicket) string {
	if b.LateDays >= 1 {
		return fmt.Sprintf("%s ngày (%s giờ) làm việc", viNum(b.LateDays, 2), viNum(b.LateHours, 2))
	}
	return viNum(b.LateHours, 2) + " giờ làm việc"
}

// WriteText writes the report as plain Vietnamese text with aligned columns: the daily e-mail to the
// supervisors.
func WriteText(w io.Writer, r Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "BÁO CÁO TRỄ HẠN XỬ LÝ PHẢN ÁNH\nKỳ báo cáo: %s (lập lúc %s)\n\n", viPeriod(r.From, r.To), viTime(r.At))
	t := r.Total
	fmt.Fprintf(&b, "Tổng cộng: tiếp nhận %d; giải quyết đúng hạn %d, trễ hạn %d; đang quá hạn %d; tỷ lệ đúng hạn %s; "+
		"thời gian giải quyết (trung vị) %s giờ làm việc; gia hạn %d; thông báo %d, đã xác nhận %d.\n",
		t.Received, t.ResolvedOnTime, t.ResolvedLate, t.OpenOverdue, viRate(t.OnTimeRate), viHours(t.MedianResolutionHours),
		t.Extensions, t.Notices, t.Acknowledged)
	table := func(title, first string, rows []Row) {
		fmt.Fprintf(&b, "\n%s\n", title)
		cells := [][]string{{first, "Tiếp nhận", "Đúng hạn", "Trễ hạn", "Quá hạn", "Tỷ lệ đúng hạn", "Trung vị (giờ)", "Gia hạn", "Thông báo", "Đã xác nhận"}}
		for _, x := range rows {
			cells = append(cells, []string{x.Name, itoa(x.Received), itoa(x.ResolvedOnTime), itoa(x.ResolvedLate),
				itoa(x.OpenOverdue), viRate(x.OnTimeRate), viHours(x.MedianResolutionHours), itoa(x.Extensions),
				itoa(x.Notices), itoa(x.Acknowledged)})
		}
		writeColumns(&b, cells)
	}
	table("THEO ĐƠN VỊ", "Đơn vị", r.Departments)
	table("THEO LĨNH VỰC", "Lĩnh vực", r.Fields)
	fmt.Fprintf(&b, "\nPHẢN ÁNH QUÁ HẠN (%d)\n", len(r.Breached))
	if len(r.Breached) == 0 {
		b.WriteString("Không có phản ánh quá hạn.\n")
	} else {
		cells := [][]string{{"Mã", "Lĩnh vực", "Đơn vị", "Hạn xử lý", "Trạng thái", "Trễ", "Xác nhận"}}
		for _, x := range r.Breached {
			ack := "chưa"
			if x.AcknowledgedAt != nil {
				ack = viTime(*x.AcknowledgedAt)
			}
			cells = append(cells, []string{x.Code, orDash(x.FieldName), orDash(x.DepartmentName), viTime(x.DeadlineAt),
				statusText(x.Status), lateText(x), ack})
		}
		writeColumns(&b, cells)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// writeColumns writes cells as columns padded to their widest cell (in characters), separated by two
// spaces; numbers are not right-aligned, to keep it simple to read in any mail client's font.
func writeColumns(b *strings.Builder, cells [][]string) {
	widths := map[int]int{}
	for _, row := range cells {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range cells {
		var line strings.Builder
		for i, c := range row {
			line.WriteString(c)
			if i < len(row)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// Format is a rendering of the report: json, csv or html (and text, for e-mail).
type Format string

// The formats.
const (
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
	FormatHTML Format = "html"
	FormatText Format = "text"
)

// ParseFormat reads ?format= or --format: json (the default, for ""), csv, html or text. The error is a
// *ticketing.QueryError (HTTP 400) on "format".
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case "":
		return FormatJSON, nil
	case FormatJSON, FormatCSV, FormatHTML, FormatText:
		return f, nil
	}
	return "", &ticketing.QueryError{Param: "format", Msg: "must be json, csv, html or text"}
}

// ContentType is the format's media type, for the HTTP answer.
func (f Format) ContentType() string {
	switch f {
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatHTML:
		return "text/html; charset=utf-8"
	case FormatText:
		return "text/plain; charset=utf-8"
	}
	return "application/json"
}

// Write renders r in format f.
func Write(w io.Writer, r Report, f Format) error {
	switch f {
	case FormatCSV:
		return WriteCSV(w, r)
	case FormatHTML:
		return WriteHTML(w, r)
	case FormatText:
		return WriteText(w, r)
	}
	return WriteJSON(w, r)
}

// maxPeriod bounds a report's period.
const maxPeriod = 400 * 24 * time.Hour

// ParsePeriod reads a report's period as the CLI (--from, --to) and the API (?from=, ?to=) take it, in
// Asia/Ho_Chi_Minh: a date YYYY-MM-DD (from: its start; to: the day is included, so the period ends at
// the next midnight) or an RFC 3339 time (to: excluded). Without to, the period ends at the end of today
// (at now); without from, it starts 7 days before its end. At most 400 days. The error is a
// *ticketing.QueryError (HTTP 400) naming from or to.
func ParsePeriod(from, to string, now time.Time) (time.Time, time.Time, error) {
	zone := ticketing.Zone()
	read := func(param, s string, end bool) (time.Time, error) {
		if d, err := time.ParseInLocation(time.DateOnly, s, zone); err == nil {
			if end {
				d = d.AddDate(0, 0, 1)
			}
			return d, nil
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.In(zone), nil
		}
		return time.Time{}, &ticketing.QueryError{Param: param, Msg: "must be a date YYYY-MM-DD or a time such as 2026-03-01T07:30:00+07:00"}
	}
	var f, t time.Time
	var err error
	if to == "" {
		n := now.In(zone)
		t = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, zone).AddDate(0, 0, 1)
	} else if t, err = read("to", to, true); err != nil {
		return f, t, err
	}
	if from == "" {
		f = t.AddDate(0, 0, -7)
	} else if f, err = read("from", from, false); err != nil {
		return f, t, err
	}
	if !t.After(f) {
		return f, t, &ticketing.QueryError{Param: "to", Msg: "must be after from"}
	}
	if t.Sub(f) > maxPeriod {
		return f, t, &ticketing.QueryError{Param: "from", Msg: "is more than 400 days before to: ask for a shorter period"}
	}
	return f, t, nil
}
