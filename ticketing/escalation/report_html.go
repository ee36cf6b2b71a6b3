package escalation

import (
	"html/template"
	"io"
)

// chartBar is one department's bar in the on-time chart.
type chartBar struct {
	Label       string
	Y           int     // top of the bar
	Width       float64 // of the bar, in px
	Rate        string  // "66,7%" or "—"
	TextX       float64
	HasRate     bool
	Below, Good bool // under 50 %, or at least 90 %
}

// chart is the on-time rate per department as an inline SVG bar chart.
type chart struct {
	Height  int
	Bars    []chartBar
	Ticks   []chartTick
	AxisEnd int
}

type chartTick struct {
	X     float64
	Label string
}

const (
	chartLabelWidth = 230
	chartBarWidth   = 380
	chartRowHeight  = 24
)

func newChart(rows []Row) chart {
	c := chart{AxisEnd: chartLabelWidth + chartBarWidth}
	for i, r := range rows {
		b := chartBar{Label: r.Name, Y: 10 + i*chartRowHeight, Rate: viRate(r.OnTimeRate), TextX: chartLabelWidth + 6}
		if b.Label == "" {
			b.Label = r.Code
		}
		if r.OnTimeRate != nil {
			b.HasRate = true
			b.Width = round(*r.OnTimeRate*chartBarWidth, 1)
			b.TextX = chartLabelWidth + b.Width + 6
			b.Below, b.Good = *r.OnTimeRate < 0.5, *r.OnTimeRate >= 0.9
		}
		c.Bars = append(c.Bars, b)
	}
	c.Height = 10 + len(rows)*chartRowHeight + 24
	for p := 0; p <= 100; p += 25 {
		c.Ticks = append(c.Ticks, chartTick{X: chartLabelWidth + float64(p)*chartBarWidth/100, Label: itoa(p) + "%"})
	}
	return c
}

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"period": viPeriod,
	"time":   viTime,
	"rate":   viRate,
	"hours":  viHours,
	"lateShort": func(b BreachedTicket) string {
		if b.LateDays >= 1 {
			return viNum(b.LateDays, 2) + " ngày (" + viNum(b.LateHours, 2) + " giờ)"
		}
		return viNum(b.LateHours, 2) + " giờ"
	},
	"status": statusText,
	"dash":   orDash,
	"axisY":  func(c chart) int { return c.Height - 18 },
	"tickY":  func(c chart) int { return c.Height - 4 },
	"add":    func(a, b int) int { return a + b },
}).Parse(`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Báo cáo trễ hạn xử lý phản ánh — {{period .R.From .R.To}}</title>
<style>
@page { size: A4; margin: 12mm; }
body { font-family: "Times New Roman", "Noto Serif", serif; font-size: 11pt; color: #111; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 15pt; text-align: center; margin: 0 0 2pt; text-transform: uppercase; }
.sub { text-align: center; margin: 0 0 10pt; }
h2 { font-size: 12pt; margin: 12pt 0 4pt; text-transform: uppercase; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #777; padding: 2pt 4pt; }
th { background: #eee; font-weight: bold; }
td.n { text-align: right; white-space: nowrap; }
td.c { white-space: nowrap; }
tr.total td { font-weight: bold; background: #f6f6f6; }
.summary { margin: 0 0 6pt; }
.note { font-size: 8.5pt; color: #444; margin-top: 10pt; }
svg text { font-family: inherit; font-size: 9pt; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
@media print { .noprint { display: none; } }
</style>
</head>
<body>
<h1>Báo cáo trễ hạn xử lý phản ánh</h1>
<p class="sub">Kỳ báo cáo: {{period .R.From .R.To}} · Lập lúc {{time .R.At}}</p>
{{with .R.Total}}<p class="summary">Tiếp nhận <b>{{.Received}}</b> phản ánh; giải quyết đúng hạn <b>{{.ResolvedOnTime}}</b>, trễ hạn <b>{{.ResolvedLate}}</b>; đang quá hạn <b>{{.OpenOverdue}}</b>; tỷ lệ đúng hạn <b>{{rate .OnTimeRate}}</b>; thời gian giải quyết (trung vị) <b>{{hours .MedianResolutionHours}}</b> giờ làm việc; gia hạn {{.Extensions}}; thông báo {{.Notices}}, đã xác nhận {{.Acknowledged}}.</p>{{end}}

<h2>Tỷ lệ giải quyết đúng hạn theo đơn vị</h2>
{{with .Chart}}<svg xmlns="http://www.w3.org/2000/svg" width="{{add .AxisEnd 60}}" height="{{.Height}}" viewBox="0 0 {{add .AxisEnd 60}} {{.Height}}" role="img" aria-label="Biểu đồ tỷ lệ giải quyết đúng hạn theo đơn vị">
{{- range .Ticks}}
<line x1="{{.X}}" y1="4" x2="{{.X}}" y2="{{axisY $.Chart}}" stroke="#ccc" stroke-width="1"/>
<text x="{{.X}}" y="{{tickY $.Chart}}" text-anchor="middle">{{.Label}}</text>
{{- end}}
{{- range .Bars}}
<text x="224" y="{{add .Y 14}}" text-anchor="end">{{.Label}}</text>
{{- if .HasRate}}
<rect x="230" y="{{.Y}}" width="{{.Width}}" height="18" fill="{{if .Below}}#c0392b{{else if .Good}}#2e7d32{{else}}#e0a100{{end}}"/>
{{- end}}
<text x="{{.TextX}}" y="{{add .Y 14}}">{{.Rate}}</text>
{{- end}}
</svg>{{end}}

<h2>Theo đơn vị</h2>
<table>
<thead><tr><th>Đơn vị</th><th>Tiếp nhận</th><th>Đúng hạn</th><th>Trễ hạn</th><th>Đang quá hạn</th><th>Tỷ lệ đúng hạn</th><th>Trung vị (giờ làm việc)</th><th>Gia hạn</th><th>Thông báo</th><th>Đã xác nhận</th></tr></thead>
<tbody>
{{- range .R.Departments}}
<tr><td>{{dash .Name}}</td><td class="n">{{.Received}}</td><td class="n">{{.ResolvedOnTime}}</td><td class="n">{{.ResolvedLate}}</td><td class="n">{{.OpenOverdue}}</td><td class="n">{{rate .OnTimeRate}}</td><td class="n">{{hours .MedianResolutionHours}}</td><td class="n">{{.Extensions}}</td><td class="n">{{.Notices}}</td><td class="n">{{.Acknowledged}}</td></tr>
{{- end}}
{{with .R.Total}}<tr class="total"><td>{{.Name}}</td><td class="n">{{.Received}}</td><td class="n">{{.ResolvedOnTime}}</td><td class="n">{{.ResolvedLate}}</td><td class="n">{{.OpenOverdue}}</td><td class="n">{{rate .OnTimeRate}}</td><td class="n">{{hours .MedianResolutionHours}}</td><td class="n">{{.Extensions}}</td><td class="n">{{.Notices}}</td><td class="n">{{.Acknowledged}}</td></tr>{{end}}
</tbody>
</table>

<h2>Theo lĩnh vực</h2>
<table>
<thead><tr><th>Lĩnh vực</th><th>Tiếp nhận</th><th>Đúng hạn</th><th>Trễ hạn</th><th>Đang quá hạn</th><th>Tỷ lệ đúng hạn</th><th>Trung vị (giờ làm việc)</th><th>Gia hạn</th><th>Thông báo</th><th>Đã xác nhận</th></tr></thead>
<tbody>
{{- range .R.Fields}}
<tr><td>{{dash .Name}}</td><td class="n">{{.Received}}</td><td class="n">{{.ResolvedOnTime}}</td><td class="n">{{.ResolvedLate}}</td><td class="n">{{.OpenOverdue}}</td><td class="n">{{rate .OnTimeRate}}</td><td class="n">{{hours .MedianResolutionHours}}</td><td class="n">{{.Extensions}}</td><td class="n">{{.Notices}}</td><td class="n">{{.Acknowledged}}</td></tr>
{{- end}}
</tbody>
</table>

<h2>Phản ánh quá hạn ({{add (len .R.Breached) .More}})</h2>
{{- if .R.Breached}}
<table>
<thead><tr><th>Mã phản ánh</th><th>Lĩnh vực</th><th>Đơn vị</th><th>Hạn xử lý</th><th>Trạng thái</th><th>Trễ (thời gian làm việc)</th><th>Xác nhận thông báo</th></tr></thead>
<tbody>
{{- range .R.Breached}}
<tr><td class="c">{{.Code}}</td><td>{{dash .FieldName}}</td><td>{{dash .DepartmentName}}</td><td class="c">{{time .DeadlineAt}}</td><td>{{status .Status}}</td><td class="c">{{lateShort .}}</td><td>{{if .AcknowledgedAt}}{{time .AcknowledgedAt}}{{else}}chưa{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else if not .More}}
<p>Không có phản ánh quá hạn.</p>
{{- end}}
{{- if .More}}
<p>… và {{.More}} phản ánh quá hạn khác (xem báo cáo đầy đủ: hotline report breaches).</p>
{{- end}}
<p class="note">Tỷ lệ đúng hạn = số giải quyết đúng hạn / (đúng hạn + trễ hạn + đang quá hạn). Thời gian tính theo giờ làm việc ({{.DayHours}} giờ một ngày làm việc), không kể ngày nghỉ, ngày lễ. Hạn xử lý là hạn sau gia hạn (nếu có).</p>
</body>
</html>
`))

// WriteHTML writes the report as one printable HTML page (A4, Vietnamese headings, styles inline, no
// external assets): the summary, an SVG bar chart of the on-time rate per department, the tables per
// department and per field, and the breached tickets.
func WriteHTML(w io.Writer, r Report) error { return writeHTML(w, r, 0) }

// writeHTML is WriteHTML of a report whose breached list was cut: more is how many were left out.
func writeHTML(w io.Writer, r Report, more int) error {
	return reportPage.Execute(w, struct {
		R        Report
		Chart    chart
		DayHours string
		More     int
	}{r, newChart(r.Departments), viNum(r.OfficeDayHours, 2), more})
}
