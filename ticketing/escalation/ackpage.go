package escalation

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"time"

	"hotline/ticketing"
)

// AckPage is what the page of an ack link shows (GET /ack/{token} and the answer to its POST).
type AckPage struct {
	// Link is the verified link; nil when it is not valid (then Error says why).
	Link *AckLink
	// Done is the acknowledgement just made by the POST; nil on the GET.
	Done *Acknowledgement
	// Err is shown instead of the form, in Vietnamese: VerifyAck's or AcknowledgeLink's error
	// (ErrBadLink, ErrLinkExpired, an *AcknowledgedError, or another: "try again later").
	Err error
}

// ackErrorText says err in Vietnamese for the page.
func ackErrorText(err error) string {
	var acked *AcknowledgedError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &acked):
		how := "qua hệ thống"
		if acked.Via == ViaLink {
			how = "qua liên kết trong thông báo"
		}
		return fmt.Sprintf("Thông báo này đã được xác nhận lúc %s (%s, bởi %s).",
			acked.At.In(ticketing.Zone()).Format("15:04 02/01/2006"), how, acked.By)
	case errors.Is(err, ErrLinkExpired):
		return "Liên kết xác nhận này đã hết hạn. Vui lòng liên hệ Đường dây nóng."
	case errors.Is(err, ErrBadLink):
		return "Liên kết xác nhận không hợp lệ. Vui lòng mở đúng liên kết trong thông báo."
	case errors.As(err, new(*ticketing.ValidationError)):
		return fmt.Sprintf("Ghi chú quá dài: tối đa %d ký tự. Vui lòng rút gọn rồi xác nhận lại.", maxNote)
	}
	return "Không thể xác nhận lúc này. Vui lòng thử lại sau."
}

var ackPage = template.Must(template.New("ack").Funcs(template.FuncMap{
	"gio":     func(t time.Time) string { return t.In(ticketing.Zone()).Format("15:04 02/01/2006") },
	"stage":   stageText,
	"errtext": ackErrorText,
	"via": func(v Via) string {
		if v == ViaLink {
			return "qua liên kết trong thông báo"
		}
		return "qua hệ thống"
	},
}).Parse(`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Xác nhận đã nhận thông báo — Đường dây nóng</title>
<style>
body { font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.3rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dt { color: #555; }
textarea { width: 100%; min-height: 5rem; box-sizing: border-box; }
button { margin-top: .8rem; padding: .5rem 1.2rem; font-size: 1rem; }
.ok { color: #0a6b2b; } .err { color: #a4161a; }
</style>
</head>
<body>
<h1>Xác nhận đã nhận thông báo</h1>
{{- with .Link}}
<dl>
<dt>Phản ánh</dt><dd>{{.Code}}</dd>
<dt>Thông báo</dt><dd>{{stage .Stage}}</dd>
{{- if .FieldName}}<dt>Lĩnh vực</dt><dd>{{.FieldName}}</dd>{{end}}
{{- if .DepartmentName}}<dt>Đơn vị</dt><dd>{{.DepartmentName}}</dd>{{end}}
<dt>Hạn xử lý</dt><dd>{{gio .DueAt}}</dd>
<dt>Gửi lúc</dt><dd>{{gio .QueuedAt}}</dd>
</dl>
{{- end}}
{{- if .Done}}
<p class="ok">Đã xác nhận lúc {{gio .Done.At}}. Cảm ơn quý đơn vị.</p>
{{- else if .Err}}
<p class="err">{{errtext .Err}}</p>
{{- else if .Link.Acknowledged}}
<p class="ok">Thông báo này đã được xác nhận lúc {{gio .Link.Acknowledged.At}} ({{via .Link.Acknowledged.Via}}).</p>
{{- else}}
<form method="post">
<label for="note">Ghi chú (không bắt buộc)</label>
<textarea id="note" name="note" maxlength="2000"></textarea>
<button type="submit">Xác nhận đã nhận</button>
</form>
<p>Liên kết dùng được một lần, đến {{gio .Link.Expires}}.</p>
{{- end}}
</body>
</html>
`))

// WriteAckPage writes the page of an ack link in Vietnamese: the notice and a confirm form that POSTs to
// the same address (field "note"), or the acknowledgement, or the error. The HTTP side answers GET
// /ack/{token} with VerifyAck's AckLink (or its error) and POST /ack/{token} with AcknowledgeLink's
// result (with the status of the error: 404, 409, 410).
func WriteAckPage(w io.Writer, p AckPage) error {
	if p.Link == nil && p.Done == nil && p.Err == nil {
		p.Err = ErrBadLink
	}
	return ackPage.Execute(w, p)
}
