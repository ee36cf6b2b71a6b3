package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/ticketing"
	"hotline/ticketing/ticketpg"
)

// The reference-data verbs: departments, fields and the days that move the working-day calendar.

// referenceSettings declares a verb's flags; each flag also reads HOTLINE_<NOUN>_<FLAG>.
func referenceSettings(noun, verb string, flags ...[2]string) func() *settings {
	return func() *settings {
		s := newSettings(noun + " " + verb)
		dbSettings(s)
		for _, f := range flags {
			s.add(f[0], refEnv(noun, f[0]), "", f[1])
		}
		return s
	}
}

func refEnv(noun, flag string) string {
	b := []byte("HOTLINE_" + noun + "_" + flag)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = '_'
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// withTickets opens the database and runs f with the ticket store.
func withTickets(ctx context.Context, s *settings, f func(*ticketpg.Store) error) error {
	return withPool(ctx, s, func(pool *pgxpool.Pool) error { return f(ticketpg.New(pool, ticketing.Deadlines{})) })
}

// cliActor is who the CLI acts as in audit trails: the administrator at the machine.
var cliActor = ticketing.Actor{Name: "cli", Role: ticketing.RoleAdmin}

var departmentFlags = [][2]string{
	{"code", "the department's code: lower-case letters, digits, - or _ (e.g. xd)"},
	{"name", "the department's name"},
	{"email", "where its reminders go"},
	{"head", "the head's name"},
	{"head-email", "the head's e-mail (due_hours and breached notices)"},
	{"webhook", "an http(s) URL that gets its reminders as signed JSON"},
	{"secret", "the webhook's HMAC key"},
}

func runDepartmentAdd(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	d := ticketing.Department{Code: s.str("HOTLINE_DEPARTMENT_CODE"), Name: s.str("HOTLINE_DEPARTMENT_NAME"),
		Email: s.str("HOTLINE_DEPARTMENT_EMAIL"), Head: s.str("HOTLINE_DEPARTMENT_HEAD"),
		HeadEmail: s.str("HOTLINE_DEPARTMENT_HEAD_EMAIL"), Webhook: s.str("HOTLINE_DEPARTMENT_WEBHOOK"),
		Secret: s.str("HOTLINE_DEPARTMENT_SECRET")}
	if err := d.Validate(); err != nil {
		return usageError{flagNames(err)}
	}
	return withTickets(ctx, s, func(st *ticketpg.Store) error {
		err := st.AddDepartment(ctx, d, time.Now())
		if errors.Is(err, ticketing.ErrExists) {
			return fmt.Errorf("department %s exists already: change it with hotline department update --code %s", d.Code, d.Code)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline department add: department %s (%s) added; give it fields with hotline field set --code … --department %s\n", d.Code, d.Name, d.Code)
		fmt.Fprintf(stdout, "%s\t%s\n", d.Code, d.Name)
		return nil
	})
}

func runDepartmentUpdate(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	c := ticketing.DepartmentChange{Code: s.str("HOTLINE_DEPARTMENT_CODE"), Name: s.given("HOTLINE_DEPARTMENT_NAME"),
		Email: s.given("HOTLINE_DEPARTMENT_EMAIL"), Head: s.given("HOTLINE_DEPARTMENT_HEAD"),
		HeadEmail: s.given("HOTLINE_DEPARTMENT_HEAD_EMAIL"), Webhook: s.given("HOTLINE_DEPARTMENT_WEBHOOK"),
		Secret: s.given("HOTLINE_DEPARTMENT_SECRET")}
	if c.Code == "" {
		return usageError{errors.New("--code: give the code of the department to change (see hotline department list)")}
	}
	if err := c.Validate(); err != nil {
		return usageError{flagNames(err)}
	}
	return withTickets(ctx, s, func(st *ticketpg.Store) error {
		err := st.UpdateDepartment(ctx, c, time.Now())
		if errors.Is(err, ticketing.ErrNotFound) {
			return fmt.Errorf("no department has code %s (see hotline department list)", c.Code)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline department update: department %s changed\n", c.Code)
		return nil
	})
}

func runDepartmentList(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	return withTickets(ctx, s, func(st *ticketpg.Store) error {
		list, err := st.Departments(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CODE\tNAME\tE-MAIL\tHEAD\tHEAD E-MAIL\tWEBHOOK")
		for _, d := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Code, d.Name, d.Email, d.Head, d.HeadEmail, d.Webhook)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline department list: %d department(s)\n", len(list))
		return nil
	})
}

var fieldFlags = [][2]string{
	{"code", "the field's code (see hotline field list)"},
	{"name", "the field's name (needed for a new code)"},
	{"department", "the department its tickets go to by default; \"\" for none"},
	{"days", "its term in working days (1–365); 0: the channel's (3, or 7 for field reports)"},
	{"priority", "its callers' priority in the queue, 0–9 (higher first)"},
}

func runFieldList(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	return withTickets(ctx, s, func(st *ticketpg.Store) error {
		list, err := st.Fields(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CODE\tNAME\tDEPARTMENT\tDAYS\tPRIORITY")
		for _, f := range list {
			days := "-"
			if f.DeadlineDays != nil {
				days = strconv.Itoa(*f.DeadlineDays)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\n", f.Code, f.Name, f.Department, days, f.Priority)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline field list: %d field(s)\n", len(list))
		return nil
	})
}

func runFieldSet(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	c := ticketing.FieldChange{Code: s.str("HOTLINE_FIELD_CODE"), Name: s.given("HOTLINE_FIELD_NAME"),
		Department: s.given("HOTLINE_FIELD_DEPARTMENT")}
	for _, n := range []struct {
		env string
		dst **int
	}{{"HOTLINE_FIELD_DAYS", &c.DeadlineDays}, {"HOTLINE_FIELD_PRIORITY", &c.Priority}} {
		if v := s.given(n.env); v != nil {
			i, err := strconv.Atoi(*v)
			if err != nil {
				return badValue{s.get(n.env), "a whole number"}
			}
			*n.dst = &i
		}
	}
	if c.Code == "" {
		return usageError{errors.New("--code: give the field's code (see hotline field list)")}
	}
	if err := c.Validate(); err != nil {
		return usageError{flagNames(err)}
	}
	return withTickets(ctx, s, func(st *ticketpg.Store) error {
		err := st.SetField(ctx, cliActor, c, time.Now())
		if errors.Is(err, ticketing.ErrNotFound) {
			return fmt.Errorf("%v: check the codes with hotline field list and hotline department list", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline field set: field %s changed (a new term counts for tickets received from now on)\n", c.Code)
		return nil
	})
}

var holidayAddFlags = [][2]string{
	{"date", "a day off, YYYY-MM-DD"},
	{"workday", "a make-up working day (e.g. a decreed Saturday), YYYY-MM-DD"},
	{"name", "what the day is (e.g. \"Nghỉ bù Quốc khánh\")"},
}

func runHolidayAdd(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	date, workday := s.str("HOTLINE_HOLIDAY_DATE"), s.str("HOTLINE_HOLIDAY_WORKDAY")
	if (date == "") == (workday == "") {
		return usageError{errors.New("give --date YYYY-MM-DD for a day off or --workday YYYY-MM-DD for a make-up working day (one of them)")}
	}
	o := ticketing.Override{Name: s.str("HOTLINE_HOLIDAY_NAME"), Workday: workday != ""}
	var err error
	if o.Date, err = ticketing.ParseCivilDate(date + workday); err != nil {
		return usageError{fmt.Errorf("%q is not a date: write it YYYY-MM-DD", date+workday)}
	}
	if err := ticketing.ValidHoliday(o); err != nil {
		return usageError{flagNames(err)}
	}
	return withTickets(ctx, s, func(st *ticketpg.Store) error {
		err := st.AddHoliday(ctx, o)
		if errors.Is(err, ticketing.ErrExists) {
			return fmt.Errorf("%s is listed already: remove it first (hotline holiday remove --date %s)", o.Date, o.Date)
		}
		if err != nil {
			return err
		}
		what := "a day off"
		if o.Workday {
			what = "a working day"
		}
		fmt.Fprintf(stderr, "hotline holiday add: %s (%s) is %s; deadlines count it from now on (other nodes within 10 s)\n", o.Date, o.Name, what)
		return nil
	})
}

func runHolidayList(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	year := 0
	if v := s.str("HOTLINE_HOLIDAY_YEAR"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 9999 {
			return badValue{s.get("HOTLINE_HOLIDAY_YEAR"), "a year such as 2026"}
		}
		year = y
	}
	return withTickets(ctx, s, func(st *ticketpg.Store) error {
		added, err := st.Holidays(ctx, year)
		if err != nil {
			return err
		}
		// With a year, the law's holidays too; the days added win over them.
		type row struct{ kind, name, source string }
		days := map[ticketing.CivilDate]row{}
		if year != 0 {
			for _, h := range (*ticketing.Calendar)(nil).PublicHolidays(year) {
				days[h.Date] = row{"holiday", h.Name, "law"}
			}
		}
		for _, o := range added {
			kind := "holiday"
			if o.Workday {
				kind = "workday"
			}
			days[o.Date] = row{kind, o.Name, "added"}
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "DATE\tKIND\tSOURCE\tNAME")
		for _, d := range slices.SortedFunc(maps.Keys(days), ticketing.CivilDate.Compare) {
			r := days[d]
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", d, r.kind, r.source, r.name)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline holiday list: %d day(s) added by admins\n", len(added))
		return nil
	})
}

func runHolidayRemove(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	d, err := ticketing.ParseCivilDate(s.str("HOTLINE_HOLIDAY_DATE"))
	if err != nil {
		return usageError{errors.New("--date: give the date to remove, YYYY-MM-DD (see hotline holiday list)")}
	}
	return withTickets(ctx, s, func(st *ticketpg.Store) error {
		err := st.RemoveHoliday(ctx, d)
		if errors.Is(err, ticketing.ErrNotFound) {
			return fmt.Errorf("%s was not added (see hotline holiday list); the public holidays of the law cannot be removed, but a make-up working day (--workday) overrides one", d)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline holiday remove: %s removed from the calendar\n", d)
		return nil
	})
}

// flagNames rewrites a validation error's member names as the CLI's flags (head_email → --head-email).
func flagNames(err error) error {
	var ve *ticketing.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(ve.Fields)) {
		name := strings.ReplaceAll(k, "_", "-")
		if name == "deadline-days" {
			name = "days"
		}
		parts = append(parts, "--"+name+": "+ve.Fields[k])
	}
	return errors.New(strings.Join(parts, "; "))
}
