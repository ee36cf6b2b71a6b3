package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/internal/tokens"
	"hotline/queue/queuepg"
	"hotline/ticketing"
)

// desk is a fixture with a token of every role: operator 1001 (who took the fixture's call), operator
// 1002, a supervisor and an admin, and a department "xd" that the field "xd" sends its tickets to.
type desk struct {
	fixture
	tok map[string]string // role name → token: op1, op2, sup, admin
}

func newDesk(t *testing.T) desk {
	t.Helper()
	f := setup(t)
	ctx := context.Background()
	q := queuepg.New(f.pool)
	for _, ext := range []string{"1001", "1002"} {
		if err := q.AddOperator(ctx, ext, "Operator "+ext, "secret-"+ext, "hotline", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// The fixture's call was taken by operator 1001.
	if _, err := f.pool.Exec(ctx, `UPDATE calls SET operator = '1001' WHERE id = $1`, f.call.ID); err != nil {
		t.Fatal(err)
	}
	d := desk{fixture: f, tok: map[string]string{"admin": f.admin}}
	st := tokens.New(f.pool)
	for name, spec := range map[string][2]string{"op1": {"operator", "1001"}, "op2": {"operator", "1002"}, "sup": {"supervisor", ""}} {
		tok, err := st.Create(ctx, name, tokens.Role(spec[0]), spec[1])
		if err != nil {
			t.Fatal(err)
		}
		d.tok[name] = tok
	}
	d.must(t, "admin", "POST", "/api/v1/departments", `{"code":"xd","name":"Sở Xây dựng","email":"xd@example.vn","head":"Trần Văn Bình","head_email":"binh@example.vn"}`, 201)
	d.must(t, "admin", "PATCH", "/api/v1/fields/xd", `{"department":"xd"}`, 200)
	return d
}

// do sends a request as who ("" for no token) and returns the status and body.
func (d desk) do(t *testing.T, who, method, path, body string, hdr ...string) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, d.srv.URL+path, rd)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+d.tok[who])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header
}

// must sends a request and fails the test unless the status is want; it returns the body.
func (d desk) must(t *testing.T, who, method, path, body string, want int, hdr ...string) []byte {
	t.Helper()
	status, b, _ := d.do(t, who, method, path, body, hdr...)
	if status != want {
		t.Fatalf("%s %s %s as %s: %d %s; want %d", method, path, body, who, status, b, want)
	}
	return b
}

type apiTicket struct {
	ID                 string     `json:"id"`
	Code               string     `json:"code"`
	Channel            string     `json:"channel"`
	Field              *string    `json:"field"`
	Department         *string    `json:"department"`
	Status             string     `json:"status"`
	ReceivedAt         time.Time  `json:"received_at"`
	DeadlineAt         time.Time  `json:"deadline_at"`
	ExtendedDeadlineAt *time.Time `json:"extended_deadline_at"`
	Overdue            bool       `json:"overdue"`
	Reporter           *struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
		Email string `json:"email"`
	} `json:"reporter"`
	ReporterMasked bool     `json:"reporter_masked"`
	CallIDs        []string `json:"call_ids"`
	CreatedBy      string   `json:"created_by"`
	Callback       bool     `json:"callback"`
}

func decodeTicket(t *testing.T, b []byte) apiTicket {
	t.Helper()
	var tk apiTicket
	if err := json.Unmarshal(b, &tk); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return tk
}

func (d desk) create(t *testing.T, who, body string) apiTicket {
	t.Helper()
	return decodeTicket(t, d.must(t, who, "POST", "/api/v1/tickets", body, 201))
}

const report = `{"channel":"hotline","description":"Quán karaoke hát to sau 23 giờ, ô nhiễm tiếng ồn","field":"xd",
	"reporter":{"name":"Nguyễn Văn An","phone":"0912345678","email":"an@mail.vn"},
	"location":{"address":"12 Lê Lợi, Quận 1"}}`

// Every endpoint, every role: who may do what (401 without a token, 403 below the role).
func TestTicketEndpointsByRole(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	tk := d.create(t, "op1", report)
	callID := d.call.ID.String()
	cases := []struct {
		method, path, body string
		want               map[string]int // by role; "" is no token
	}{
		{"GET", "/api/v1/tickets", "", map[string]int{"": 401, "op2": 200, "sup": 200, "admin": 200}},
		{"GET", "/api/v1/tickets/" + tk.ID, "", map[string]int{"": 401, "op2": 200, "sup": 200, "admin": 200}},
		{"GET", "/api/v1/tickets/" + tk.Code, "", map[string]int{"": 401, "op2": 200, "sup": 200}},
		{"GET", "/api/v1/tickets/" + tk.ID + "/audit", "", map[string]int{"": 401, "op1": 403, "op2": 403, "sup": 200, "admin": 200}},
		{"POST", "/api/v1/tickets", `{"channel":"web","description":"x"}`, map[string]int{"": 401, "op2": 201, "sup": 201, "admin": 201}},
		{"POST", "/api/v1/tickets/" + tk.ID + "/calls", `{"call_id":"` + callID + `"}`, map[string]int{"": 401, "op1": 200, "sup": 200}},
		{"GET", "/api/v1/calls/" + callID + "/tickets", "", map[string]int{"": 401, "op1": 200, "sup": 200}},
		// An operator links only the calls it took (a link would make it a handler, who sees the reporter).
		{"POST", "/api/v1/tickets/" + tk.ID + "/calls", `{"call_id":"` + callID + `"}`, map[string]int{"op2": 403}},
		{"POST", "/api/v1/tickets", `{"channel":"hotline","description":"x","call_id":"` + callID + `"}`, map[string]int{"op2": 403, "op1": 201}},
		// Operators see numbers masked: no search by number, which would reveal the hidden digits.
		{"GET", "/api/v1/tickets?number=0912345678", "", map[string]int{"op1": 403, "sup": 200}},
		{"GET", "/api/v1/calls?number=0912345678", "", map[string]int{"op1": 403, "sup": 200}},
		{"GET", "/api/v1/deadline?field=nope", "", map[string]int{"op1": 400}},
		{"GET", "/api/v1/departments/xd", "", map[string]int{"op1": 200}},
		{"GET", "/api/v1/departments/none", "", map[string]int{"op1": 404}},
		{"GET", "/api/v1/tickets/" + strings.ToLower(tk.Code) + "/audit", "", map[string]int{"sup": 200}},
		{"GET", "/api/v1/fields", "", map[string]int{"": 401, "op2": 200, "sup": 200, "admin": 200}},
		{"PATCH", "/api/v1/fields/khac", `{"priority":1}`, map[string]int{"": 401, "op2": 403, "sup": 403, "admin": 200}},
		{"GET", "/api/v1/departments", "", map[string]int{"": 401, "op2": 200, "sup": 200, "admin": 200}},
		{"POST", "/api/v1/departments", `{"code":"gt","name":"Sở Giao thông"}`, map[string]int{"": 401, "op2": 403, "sup": 403, "admin": 201}},
		{"PATCH", "/api/v1/departments/xd", `{"email":"xd2@example.vn"}`, map[string]int{"": 401, "op2": 403, "sup": 403, "admin": 200}},
		{"GET", "/api/v1/holidays?year=2027", "", map[string]int{"": 401, "op2": 200, "sup": 200, "admin": 200}},
		{"POST", "/api/v1/holidays", `{"date":"2027-05-03","name":"Nghỉ bù","kind":"holiday"}`, map[string]int{"": 401, "op2": 403, "sup": 403, "admin": 201}},
		{"DELETE", "/api/v1/holidays/2027-05-03", "", map[string]int{"": 401, "op2": 403, "sup": 403, "admin": 204}},
		{"GET", "/api/v1/deadline?received_at=2026-11-27T18:30:00%2B07:00&channel=hotline", "", map[string]int{"": 401, "op2": 200, "sup": 200, "admin": 200}},
		{"PATCH", "/api/v1/tickets/" + tk.ID, `{"status":"in_progress"}`, map[string]int{"": 401, "op2": 200}},
		{"PATCH", "/api/v1/tickets/" + tk.ID, `{"extend_to":"2027-12-31T17:00:00+07:00","reason":"cần khảo sát","legal_basis":"Điều 28 Luật Tiếp công dân"}`,
			map[string]int{"op1": 403, "op2": 403, "sup": 200}},
	}
	for _, tc := range cases {
		for _, role := range []string{"", "op1", "op2", "sup", "admin"} {
			want, ok := tc.want[role]
			if !ok {
				continue
			}
			status, body, _ := d.do(t, role, tc.method, tc.path, tc.body)
			if status != want {
				t.Errorf("%s %s as %q: %d %s; want %d", tc.method, tc.path, role, status, body, want)
			}
			var e struct{ Error string }
			if status >= 400 && (json.Unmarshal(body, &e) != nil || e.Error == "") {
				t.Errorf("%s %s as %q: error body %s; want {\"error\": …}", tc.method, tc.path, role, body)
			}
		}
	}
}

// The reporter is whole to its handler and supervisors, masked to other operators; whole reads are audited.
func TestReporterMaskingAndAudit(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	tk := d.create(t, "op1", report)
	if tk.ReporterMasked || tk.Reporter == nil || tk.Reporter.Phone != "0912345678" || tk.CreatedBy != "1001" {
		t.Fatalf("creator's view: %+v; want the reporter whole and created_by 1001", tk)
	}
	for _, tc := range []struct {
		who                string
		masked             bool
		name, phone, email string
	}{
		{"op1", false, "Nguyễn Văn An", "0912345678", "an@mail.vn"},
		{"op2", true, "N*** V*** A", "0912***678", "a***@mail.vn"},
		{"sup", false, "Nguyễn Văn An", "0912345678", "an@mail.vn"},
		{"admin", false, "Nguyễn Văn An", "0912345678", "an@mail.vn"},
	} {
		got := decodeTicket(t, d.must(t, tc.who, "GET", "/api/v1/tickets/"+tk.ID, "", 200))
		if got.ReporterMasked != tc.masked || got.Reporter.Name != tc.name || got.Reporter.Phone != tc.phone || got.Reporter.Email != tc.email {
			t.Errorf("as %s: reporter %+v masked %v; want %s %s %s masked %v", tc.who, *got.Reporter, got.ReporterMasked,
				tc.name, tc.phone, tc.email, tc.masked)
		}
		// Lists mask the same way, and the number is never in the body of a masked answer.
		_, body, _ := d.do(t, tc.who, "GET", "/api/v1/tickets?q=karaoke", "")
		if tc.masked == strings.Contains(string(body), "0912345678") {
			t.Errorf("as %s: list body %s; masked %v", tc.who, body, tc.masked)
		}
	}
	// Operator 1002 takes a call linked to the ticket: it becomes a handler and sees the reporter.
	if _, err := d.pool.Exec(context.Background(), `UPDATE calls SET operator = '1002' WHERE id = $1`, d.call.ID); err != nil {
		t.Fatal(err)
	}
	d.must(t, "sup", "POST", "/api/v1/tickets/"+tk.ID+"/calls", `{"call_id":"`+d.call.ID.String()+`"}`, 200)
	if got := decodeTicket(t, d.must(t, "op2", "GET", "/api/v1/tickets/"+tk.ID, "", 200)); got.ReporterMasked {
		t.Errorf("operator 1002 took a linked call but sees the reporter masked")
	}
	var audit struct {
		Items []struct {
			Actor  string `json:"actor"`
			Action string `json:"action"`
		} `json:"items"`
	}
	if err := json.Unmarshal(d.must(t, "sup", "GET", "/api/v1/tickets/"+tk.ID+"/audit", "", 200), &audit); err != nil {
		t.Fatal(err)
	}
	reads := map[string]int{}
	for _, e := range audit.Items {
		if e.Action == ticketing.AuditReporterRead {
			reads[e.Actor]++
		}
	}
	for _, who := range []string{"1001", "sup", "admin", "1002"} {
		if reads[who] == 0 {
			t.Errorf("no reporter_read audit row for %s; rows %+v", who, audit.Items)
		}
	}
}

// The workflow through the API: legal moves succeed, illegal ones get 409 with from, to and allowed.
func TestTicketWorkflow(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	tk := d.create(t, "op1", report)
	if tk.Status != "assigned" || tk.Department == nil || *tk.Department != "xd" {
		t.Fatalf("a report in field xd: status %s department %v; want assigned to xd", tk.Status, tk.Department)
	}
	path := "/api/v1/tickets/" + tk.ID
	steps := []struct {
		body   string
		status int
		want   string
	}{
		{`{"status":"closed","note":"đã gọi"}`, 409, `"allowed":["in_progress","rejected","merged","assigned"]`},
		{`{"status":"resolved"}`, 409, `"from":"assigned"`},
		{`{"status":"in_progress"}`, 200, `"status":"in_progress"`},
		{`{"status":"resolved"}`, 422, `"result"`},
		{`{"status":"resolved","result":"Đã xử phạt chủ quán"}`, 200, `"status":"resolved"`},
		{`{"status":"closed"}`, 422, `"note"`},
		{`{"status":"closed","note":"Đã gọi điện báo công dân lúc 9:00"}`, 200, `"status":"closed"`},
		{`{"status":"in_progress","reason":"Công dân phản ánh vẫn còn ồn"}`, 200, `"status":"in_progress"`},
		{`{"status":"rejected","reason":"Không thuộc thẩm quyền"}`, 200, `"status":"rejected"`},
		{`{"status":"in_progress"}`, 409, `"allowed":[]`},
		{`{"status":"flying"}`, 422, `status`},
		{`{"colour":"red"}`, 422, `unknown field`},
		{`{"status":`, 400, `not valid JSON`},
		{`{}`, 422, `changes nothing`},
	}
	for _, st := range steps {
		status, body, _ := d.do(t, "op1", "PATCH", path, st.body)
		if status != st.status || !strings.Contains(string(body), st.want) {
			t.Errorf("PATCH %s: %d %s; want %d with %s", st.body, status, body, st.status, st.want)
		}
	}
	// A duplicate merged into another: the target takes its calls.
	a := d.create(t, "op1", `{"channel":"hotline","description":"Karaoke ồn","call_id":"`+d.call.ID.String()+`"}`)
	b := d.create(t, "op1", `{"channel":"zalo","description":"Karaoke ồn ào ở Lê Lợi","department":"xd"}`)
	d.must(t, "op1", "PATCH", "/api/v1/tickets/"+a.ID, `{"status":"merged","merged_into":"`+b.Code+`"}`, 200)
	if got := decodeTicket(t, d.must(t, "op1", "GET", "/api/v1/tickets/"+b.ID, "", 200)); len(got.CallIDs) != 1 || got.CallIDs[0] != d.call.ID.String() {
		t.Errorf("merge target's calls %v; want the merged ticket's call %s", got.CallIDs, d.call.ID)
	}
	if status, body, _ := d.do(t, "op1", "PATCH", "/api/v1/tickets/"+a.ID, `{"status":"in_progress"}`); status != 409 {
		t.Errorf("reopening a merged ticket: %d %s; want 409", status, body)
	}
}

// 100 creates at once get 100 distinct codes with no gap.
func TestParallelCreatesGetGapFreeCodes(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	const n = 100
	codes := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", d.srv.URL+"/api/v1/tickets",
				strings.NewReader(fmt.Sprintf(`{"channel":"web","description":"Phản ánh số %d"}`, i)))
			req.Header.Set("Authorization", "Bearer "+d.tok["op2"])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer res.Body.Close()
			var tk apiTicket
			if res.StatusCode != 201 || json.NewDecoder(res.Body).Decode(&tk) != nil {
				errs <- fmt.Sprintf("status %d", res.StatusCode)
				return
			}
			codes[i] = tk.Code
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	sort.Strings(codes)
	year := time.Now().In(ticketing.Zone()).Year()
	for i, c := range codes {
		if want := fmt.Sprintf("PA-%d-%06d", year, i+1); c != want {
			t.Fatalf("code %d is %s, want %s (all: %v)", i, c, want, codes)
		}
	}
}

// A retried create with the same Idempotency-Key and token answers the first ticket with 200.
func TestIdempotentCreate(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	body := `{"channel":"zalo","description":"Cây đổ chắn đường","reporter":{"phone":"+84987654321"}}`
	_, b1, h1 := d.do(t, "sup", "POST", "/api/v1/tickets", body, "Idempotency-Key", "zalo-msg-77")
	status, b2, _ := d.do(t, "sup", "POST", "/api/v1/tickets", body, "Idempotency-Key", "zalo-msg-77")
	first, second := decodeTicket(t, b1), decodeTicket(t, b2)
	if status != 200 || first.ID != second.ID || h1.Get("Location") != "/api/v1/tickets/"+first.ID {
		t.Errorf("retry: %d, ids %s %s, Location %q; want 200 and the same ticket", status, first.ID, second.ID, h1.Get("Location"))
	}
	// Another token's key is its own.
	if status, _, _ := d.do(t, "admin", "POST", "/api/v1/tickets", body, "Idempotency-Key", "zalo-msg-77"); status != 201 {
		t.Errorf("the same key from another token: %d, want 201 (a new ticket)", status)
	}
	if status, _, _ := d.do(t, "sup", "POST", "/api/v1/tickets", body, "Idempotency-Key", strings.Repeat("k", 256)); status != 400 {
		t.Errorf("a key of 256 characters: %d, want 400", status)
	}
}

// Bad input: each gets its 4xx and a message naming what to fix.
func TestTicketBadInput(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	future := time.Now().Add(time.Hour).Format(time.RFC3339)
	for _, tc := range []struct {
		who, body string
		status    int
		want      string
	}{
		{"op1", `{"channel":"fax","description":"x"}`, 422, "channel"},
		{"op1", `{"channel":"hotline"}`, 422, "description"},
		{"op1", `{"channel":"hotline","description":"x","extra":1}`, 422, "unknown field"},
		{"op1", `{"channel":"hotline","description":"x","field":"nope"}`, 422, "field"},
		{"op1", `{"channel":"hotline","description":"x","call_id":"42"}`, 422, "call_id"},
		{"op1", `{"channel":"hotline","description":"x","reporter":{"email":"not-mail"}}`, 422, "reporter.email"},
		{"op1", `{"channel":"hotline","description":"x","received_at":"2026-01-05T08:00:00+07:00"}`, 403, "received_at"},
		{"sup", `{"channel":"hotline","description":"x","received_at":"` + future + `"}`, 422, "received_at"},
		{"op1", `[1,2]`, 400, "JSON object"},
		{"op1", `{"channel":`, 400, "not valid JSON"},
		{"op1", `{"channel":"hotline","description":"` + strings.Repeat("a", 10001) + `"}`, 422, "description"},
		{"op1", `{"channel":"hotline","description":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "larger"},
	} {
		status, body, _ := d.do(t, tc.who, "POST", "/api/v1/tickets", tc.body)
		if status != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("POST %.80s as %s: %d %.300s; want %d naming %s", tc.body, tc.who, status, body, tc.status, tc.want)
		}
	}
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/api/v1/tickets?status=lost", 400}, {"/api/v1/tickets?overdue=maybe", 400}, {"/api/v1/tickets?from=yesterday", 400},
		{"/api/v1/tickets?cursor=zzz", 400}, {"/api/v1/tickets?limit=501", 400}, {"/api/v1/tickets/PA-2026-999999", 404},
		{"/api/v1/tickets/00000000-0000-0000-0000-000000000000", 404}, {"/api/v1/deadline?channel=fax", 400},
		{"/api/v1/holidays?year=soon", 400},
	} {
		if status, body, _ := d.do(t, "op1", "GET", tc.path, ""); status != tc.status {
			t.Errorf("GET %s: %d %s; want %d", tc.path, status, body, tc.status)
		}
	}
	d.must(t, "admin", "POST", "/api/v1/holidays", `{"date":"2027-05-03","name":"Nghỉ bù","kind":"holiday"}`, 201)
	d.must(t, "admin", "POST", "/api/v1/holidays", `{"date":"2027-05-03","name":"again","kind":"holiday"}`, 409)
	d.must(t, "admin", "POST", "/api/v1/holidays", `{"date":"2027-02-30","name":"x","kind":"holiday"}`, 422)
	d.must(t, "admin", "DELETE", "/api/v1/holidays/2027-05-04", "", 404)
	d.must(t, "admin", "POST", "/api/v1/departments", `{"code":"xd","name":"again"}`, 409)
}

// Lists: filters, Vietnamese text with or without diacritics, numbers in any writing, cursor paging.
func TestTicketLists(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	noise := d.create(t, "op1", report)
	d.create(t, "op1", `{"channel":"zalo","description":"Rác thải ùn ứ ở chợ Bến Thành","reporter":{"phone":"+84987654321"}}`)
	for i := range 7 {
		d.create(t, "op2", fmt.Sprintf(`{"channel":"web","description":"Đèn đường hỏng số %d"}`, i))
	}
	count := func(q string) int {
		var page struct {
			Items []apiTicket `json:"items"`
		}
		if err := json.Unmarshal(d.must(t, "sup", "GET", "/api/v1/tickets?"+q, "", 200), &page); err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	for q, want := range map[string]int{
		"": 9, "q=%C3%B4+nhi%E1%BB%85m": 1, "q=o+nhiem": 1, "q=O+NHIEM": 1, "q=r%C3%A1c": 1, "q=rac+thai": 1,
		"q=den+duong": 7, "q=den+du": 7, "channel=zalo": 1, "channel=web": 7, "field=xd": 1, "department=xd": 1,
		"status=assigned": 1, "status=new": 8, "number=0987654321": 1, "number=%2B84987654321": 1,
		"number=0912+345+678": 1, "overdue=true": 0, "overdue=false": 9, "from=2000-01-01&to=2001-01-01": 0,
		"q=" + noise.Code: 1,
	} {
		if got := count(q); got != want {
			t.Errorf("GET /api/v1/tickets?%s: %d tickets, want %d", q, got, want)
		}
	}
	// Paging: 3 pages of 3, no ticket twice, none left out.
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		var page struct {
			Items      []apiTicket `json:"items"`
			NextCursor *string     `json:"next_cursor"`
		}
		if err := json.Unmarshal(d.must(t, "sup", "GET", "/api/v1/tickets?limit=3&cursor="+cursor, "", 200), &page); err != nil {
			t.Fatal(err)
		}
		for _, tk := range page.Items {
			if seen[tk.ID] {
				t.Fatalf("ticket %s on two pages", tk.Code)
			}
			seen[tk.ID] = true
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 9 {
		t.Errorf("paging saw %d tickets, want 9", len(seen))
	}
}

// During a call the operator gets the caller's earlier tickets, open first, in one request; a ticket
// made with call_id is linked to the call, and the call shows it.
func TestCallerTicketsDuringACall(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	old := d.create(t, "op1", `{"channel":"hotline","description":"Ổ gà trên đường Lê Lợi","reporter":{"phone":"0912345678"}}`)
	d.must(t, "op1", "PATCH", "/api/v1/tickets/"+old.ID, `{"status":"rejected","reason":"Trùng"}`, 200)
	open := d.create(t, "op1", `{"channel":"zalo","description":"Nước ngập","reporter":{"phone":"0912 345 678"}}`)
	d.create(t, "op1", `{"channel":"zalo","description":"Người khác","reporter":{"phone":"0900000000"}}`)
	var page struct {
		Items []apiTicket `json:"items"`
	}
	if err := json.Unmarshal(d.must(t, "op1", "GET", "/api/v1/calls/"+d.call.ID.String()+"/tickets", "", 200), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].ID != open.ID || page.Items[1].ID != old.ID {
		t.Errorf("caller's tickets %+v; want the open one, then the rejected one", page.Items)
	}
	made := d.create(t, "op1", `{"channel":"hotline","description":"Gọi lại về nước ngập","call_id":"`+d.call.ID.String()+`"}`)
	if len(made.CallIDs) != 1 {
		t.Errorf("ticket made in the call: calls %v", made.CallIDs)
	}
	var call struct {
		TicketIDs []string `json:"ticket_ids"`
	}
	if err := json.Unmarshal(d.must(t, "op1", "GET", "/api/v1/calls/"+d.call.ID.String(), "", 200), &call); err != nil {
		t.Fatal(err)
	}
	if len(call.TicketIDs) != 1 || call.TicketIDs[0] != made.ID {
		t.Errorf("the call's ticket_ids %v; want [%s]", call.TicketIDs, made.ID)
	}
	// Another operator sees the call's caller masked.
	b := d.must(t, "op2", "GET", "/api/v1/calls/"+d.call.ID.String(), "", 200)
	if !bytes.Contains(b, []byte(`"caller":"+849***678"`)) || !bytes.Contains(b, []byte(`"caller_masked":true`)) {
		t.Errorf("operator 1002's view of 1001's call: %s; want the caller masked", b)
	}
}

// The deadline endpoint counts working days on the calendar with the days admins add.
func TestDeadlineEndpoint(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	get := func(q string) string {
		var r struct {
			DeadlineAt string `json:"deadline_at"`
		}
		if err := json.Unmarshal(d.must(t, "op1", "GET", "/api/v1/deadline?"+q, "", 200), &r); err != nil {
			t.Fatal(err)
		}
		return r.DeadlineAt
	}
	// Friday 27/11/2026 evening: days 1–3 are Mon 30/11, Tue 1/12, Wed 2/12; ends at 17:00.
	if got := get("received_at=2026-11-27T18:30:00%2B07:00&channel=hotline"); got != "2026-12-02T17:00:00+07:00" {
		t.Errorf("hotline report on Friday evening: %s", got)
	}
	if got := get("received_at=2026-11-27T18:30:00%2B07:00&channel=field"); got != "2026-12-08T17:00:00+07:00" {
		t.Errorf("field report on Friday evening: %s", got)
	}
	d.must(t, "admin", "POST", "/api/v1/holidays", `{"date":"2026-12-01","name":"Nghỉ thử","kind":"holiday"}`, 201)
	if got := get("received_at=2026-11-27T18:30:00%2B07:00&channel=hotline"); got != "2026-12-03T17:00:00+07:00" {
		t.Errorf("with 1/12 a day off: %s, want 3/12", got)
	}
	if !regexp.MustCompile(`^\d{4}-`).MatchString(get("channel=web")) {
		t.Error("deadline without received_at")
	}
}
