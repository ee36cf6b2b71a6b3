package notify

import (
	"bytes"
	"fmt"
	"sync"
	"text/template"
	"time"
	"unicode/utf8"
)

// vietnam is the zone dates are written in.
var vietnam = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("Asia/Ho_Chi_Minh", 7*60*60)
})

// funcs are the functions templates may use, writing times the Vietnamese way in Asia/Ho_Chi_Minh:
//
//	{{ngay .Deadline}}    02/03/2026
//	{{gio .Deadline}}     17:00 02/03/2026
//	{{thu .Deadline}}     Thứ Hai
var funcs = template.FuncMap{
	"ngay": func(t time.Time) string { return t.In(vietnam()).Format("02/01/2006") },
	"gio":  func(t time.Time) string { return t.In(vietnam()).Format("15:04 02/01/2006") },
	"thu":  func(t time.Time) string { return weekdays[t.In(vietnam()).Weekday()] },
}

var weekdays = [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// Template parses text as a text/template named name for a subject or a body: a missing key is an
// error, and ngay, gio and thu write times the Vietnamese way (see funcs).
func Template(name, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return t, nil
}

// MustTemplate is Template for texts fixed in the code: it panics on an error.
func MustTemplate(name, text string) *template.Template {
	t, err := Template(name, text)
	if err != nil {
		panic(err)
	}
	return t
}

// Render executes t with data and returns the text, which must be valid UTF-8.
func Render(t *template.Template, data any) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render %s: %w", t.Name(), err)
	}
	if !utf8.Valid(b.Bytes()) {
		return "", fmt.Errorf("render %s: the text is not valid UTF-8", t.Name())
	}
	return b.String(), nil
}
