package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"hotline/internal/tokens"
	"hotline/ticketing"
)

// ReferenceData is what tickets are classified and counted by: fields, departments, the calendar.
type ReferenceData interface {
	Fields(ctx context.Context) ([]ticketing.Field, error)
	Field(ctx context.Context, code string) (ticketing.Field, error)
	SetField(ctx context.Context, a ticketing.Actor, c ticketing.FieldChange, now time.Time) error
	Departments(ctx context.Context) ([]ticketing.Department, error)
	Department(ctx context.Context, code string) (ticketing.Department, error)
	AddDepartment(ctx context.Context, d ticketing.Department, now time.Time) error
	UpdateDepartment(ctx context.Context, c ticketing.DepartmentChange, now time.Time) error
	Holidays(ctx context.Context, year int) ([]ticketing.Override, error)
	AddHoliday(ctx context.Context, o ticketing.Override) error
	RemoveHoliday(ctx context.Context, date ticketing.CivilDate) error
	Deadline(ctx context.Context, received time.Time, channel ticketing.Channel, field string) (time.Time, error)
}

type fieldJSON struct {
	Code         string  `json:"code"`
	Name         string  `json:"name"`
	Department   *string `json:"department"`
	DeadlineDays *int    `json:"deadline_days"`
	Priority     int     `json:"priority"`
}

func toFieldJSON(f ticketing.Field) fieldJSON {
	return fieldJSON{Code: f.Code, Name: f.Name, Department: opt(f.Department), DeadlineDays: f.DeadlineDays, Priority: f.Priority}
}

type departmentJSON struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	Head      string  `json:"head"`
	HeadEmail string  `json:"head_email"`
	Email     string  `json:"email"`
	Webhook   *string `json:"webhook,omitempty"` // admins only; the secret is never shown
}

func toDepartmentJSON(d ticketing.Department, admin bool) departmentJSON {
	j := departmentJSON{Code: d.Code, Name: d.Name, Head: d.Head, HeadEmail: d.HeadEmail, Email: d.Email}
	if admin {
		j.Webhook = &d.Webhook
	}
	return j
}

type holidayJSON struct {
	Date   ticketing.CivilDate `json:"date"`
	Name   string              `json:"name"`
	Kind   string              `json:"kind"`   // holiday or workday
	Source string              `json:"source"` // law (built in) or added (by an admin)
}

func (s *Server) listFields(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Tickets.Fields(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]fieldJSON, len(list))
	for i, f := range list {
		items[i] = toFieldJSON(f)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": nil})
}

// setField: PATCH /api/v1/fields/{code} (admins): a field's name, default department, term and priority;
// a new code makes a new field (it needs a name).
func (s *Server) setField(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name         *string `json:"name"`
		Department   *string `json:"department"`
		DeadlineDays *int    `json:"deadline_days"`
		Priority     *int    `json:"priority"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	c := ticketing.FieldChange{Code: r.PathValue("code"), Name: body.Name, Department: body.Department,
		DeadlineDays: body.DeadlineDays, Priority: body.Priority}
	if err := s.cfg.Tickets.SetField(r.Context(), actor(r), c, time.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.cfg.Tickets.Field(r.Context(), c.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toFieldJSON(f))
}

func (s *Server) listDepartments(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Tickets.Departments(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	admin := who(r).Role.AtLeast(tokens.Admin)
	items := make([]departmentJSON, len(list))
	for i, d := range list {
		items[i] = toDepartmentJSON(d, admin)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": nil})
}

func (s *Server) getDepartment(w http.ResponseWriter, r *http.Request) {
	d, err := s.cfg.Tickets.Department(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toDepartmentJSON(d, who(r).Role.AtLeast(tokens.Admin)))
}

type departmentBody struct {
	Code      *string `json:"code"`
	Name      *string `json:"name"`
	Head      *string `json:"head"`
	HeadEmail *string `json:"head_email"`
	Email     *string `json:"email"`
	Webhook   *string `json:"webhook"`
	Secret    *string `json:"secret"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// addDepartment: POST /api/v1/departments (admins): 201 with the department; 409 when its code is taken.
func (s *Server) addDepartment(w http.ResponseWriter, r *http.Request) {
	var b departmentBody
	if err := decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	d := ticketing.Department{Code: deref(b.Code), Name: deref(b.Name), Head: deref(b.Head), HeadEmail: deref(b.HeadEmail),
		Email: deref(b.Email), Webhook: deref(b.Webhook), Secret: deref(b.Secret)}
	if err := s.cfg.Tickets.AddDepartment(r.Context(), d, time.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/departments/"+d.Code)
	writeJSON(w, http.StatusCreated, toDepartmentJSON(d, true))
}

// updateDepartment: PATCH /api/v1/departments/{code} (admins).
func (s *Server) updateDepartment(w http.ResponseWriter, r *http.Request) {
	var b departmentBody
	if err := decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	code := r.PathValue("code")
	if b.Code != nil && *b.Code != code {
		s.fail(w, r, ticketing.Invalid("code", "cannot change: a department's code is how tickets name it"))
		return
	}
	c := ticketing.DepartmentChange{Code: code, Name: b.Name, Head: b.Head, HeadEmail: b.HeadEmail, Email: b.Email,
		Webhook: b.Webhook, Secret: b.Secret}
	if err := s.cfg.Tickets.UpdateDepartment(r.Context(), c, time.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.cfg.Tickets.Department(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toDepartmentJSON(d, true))
}

// listHolidays: GET /api/v1/holidays?year= (default this year): the year's public holidays as the law
// fixes them, with the days admins added (which win over them), by date.
func (s *Server) listHolidays(w http.ResponseWriter, r *http.Request) {
	year := time.Now().In(Vietnam).Year()
	if v := r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 9999 {
			s.fail(w, r, badRequest{"year must be a year such as 2026"})
			return
		}
		year = n
	}
	added, err := s.cfg.Tickets.Holidays(r.Context(), year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byDate := map[ticketing.CivilDate]holidayJSON{}
	for _, h := range (*ticketing.Calendar)(nil).PublicHolidays(year) {
		byDate[h.Date] = holidayJSON{Date: h.Date, Name: h.Name, Kind: "holiday", Source: "law"}
	}
	for _, o := range added {
		kind := "holiday"
		if o.Workday {
			kind = "workday"
		}
		byDate[o.Date] = holidayJSON{Date: o.Date, Name: o.Name, Kind: kind, Source: "added"}
	}
	items := make([]holidayJSON, 0, len(byDate))
	for _, h := range byDate {
		items = append(items, h)
	}
	slices.SortFunc(items, func(a, b holidayJSON) int { return a.Date.Compare(b.Date) })
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": nil})
}

// addHoliday: POST /api/v1/holidays {"date", "name", "kind"} (admins): 201; 409 when the date is listed.
func (s *Server) addHoliday(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Date string `json:"date"`
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := ticketing.ParseCivilDate(body.Date)
	if err != nil {
		s.fail(w, r, ticketing.Invalid("date", "is required: a date YYYY-MM-DD"))
		return
	}
	if body.Kind == "" {
		body.Kind = "holiday"
	}
	if body.Kind != "holiday" && body.Kind != "workday" {
		s.fail(w, r, ticketing.Invalid("kind", `must be "holiday" (a day off) or "workday" (a make-up working day)`))
		return
	}
	o := ticketing.Override{Date: d, Name: body.Name, Workday: body.Kind == "workday"}
	if err := s.cfg.Tickets.AddHoliday(r.Context(), o); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/holidays/"+d.String())
	writeJSON(w, http.StatusCreated, holidayJSON{Date: d, Name: o.Name, Kind: body.Kind, Source: "added"})
}

// removeHoliday: DELETE /api/v1/holidays/{date} (admins): 204.
func (s *Server) removeHoliday(w http.ResponseWriter, r *http.Request) {
	d, err := ticketing.ParseCivilDate(r.PathValue("date"))
	if err != nil {
		s.fail(w, r, badRequest{"the date must be written YYYY-MM-DD"})
		return
	}
	if err := s.cfg.Tickets.RemoveHoliday(r.Context(), d); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) referenceRoutes() {
	s.route("GET /api/v1/fields", tokens.Operator, s.listFields)
	s.route("PATCH /api/v1/fields/{code}", tokens.Admin, s.setField)
	s.route("GET /api/v1/departments", tokens.Operator, s.listDepartments)
	s.route("GET /api/v1/departments/{code}", tokens.Operator, s.getDepartment)
	s.route("POST /api/v1/departments", tokens.Admin, s.addDepartment)
	s.route("PATCH /api/v1/departments/{code}", tokens.Admin, s.updateDepartment)
	s.route("GET /api/v1/holidays", tokens.Operator, s.listHolidays)
	s.route("POST /api/v1/holidays", tokens.Admin, s.addHoliday)
	s.route("DELETE /api/v1/holidays/{date}", tokens.Admin, s.removeHoliday)
}
