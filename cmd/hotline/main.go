// Command hotline is the call-center backend of a citizen hotline: `hotline serve` answers the SIP trunk,
// records every call and serves the HTTP API; the other verbs administer its database.
//
// Exit status: 0 on success, 1 on failure (with one line saying what to do), 2 for a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// verb is one subcommand.
type verb struct {
	name, synopsis, help string
	settings             func() *settings
	run                  func(ctx context.Context, s *settings, stdout, stderr io.Writer) error
}

var verbs = []verb{
	{"serve", "hotline serve [settings]", "run the hotline: SIP, recordings, HTTP API", serveSettings, runServe},
	{"migrate", "hotline migrate [--db URL] [--data DIR]", "apply the database migrations", migrateSettings, runMigrate},
	{"operator add", `hotline operator add --ext 1001 --name "…" --password "…"`, "create an operator (SIP account)",
		operatorSettings("add", "ext", "name", "password"), runOperatorAdd},
	{"operator list", "hotline operator list", "list the operators and their states", operatorSettings("list"), runOperatorList},
	{"operator remove", "hotline operator remove --ext 1001", "delete an operator", operatorSettings("remove", "ext"), runOperatorRemove},
	{"department add", `hotline department add --code xd --name "…" [--email a@b] [--head "…" --head-email c@d] [--webhook URL --secret S]`,
		"add a department that resolves tickets", referenceSettings("department", "add", departmentFlags...), runDepartmentAdd},
	{"department list", "hotline department list", "list the departments", referenceSettings("department", "list"), runDepartmentList},
	{"department update", `hotline department update --code xd [--name "…"] [--email …] [--head …] [--head-email …] [--webhook … --secret …]`,
		"change a department", referenceSettings("department", "update", departmentFlags...), runDepartmentUpdate},
	{"field list", "hotline field list", "list the fields reports are classified by", referenceSettings("field", "list"), runFieldList},
	{"field set", "hotline field set --code … [--name …] [--department CODE] [--days N] [--priority N]",
		"change a field (or add one)", referenceSettings("field", "set", fieldFlags...), runFieldSet},
	{"holiday add", `hotline holiday add --date YYYY-MM-DD --name "…" | --workday YYYY-MM-DD --name "…"`,
		"add a day off, or a make-up working day", referenceSettings("holiday", "add", holidayAddFlags...), runHolidayAdd},
	{"holiday list", "hotline holiday list [--year YYYY]", "list the days off and make-up working days",
		referenceSettings("holiday", "list", [2]string{"year", "only this year, with the law's holidays"}), runHolidayList},
	{"holiday remove", "hotline holiday remove --date YYYY-MM-DD", "remove a day added with holiday add",
		referenceSettings("holiday", "remove", [2]string{"date", "the day to remove, YYYY-MM-DD"}), runHolidayRemove},
	{"report breaches", "hotline report breaches [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format text|json|csv|html]",
		"the breach report of a period, to stdout", reportSettings, runReportBreaches},
	{"jobs", "hotline jobs", "list the scheduled jobs: last and next runs", jobsVerbSettings, runJobs},
	{"token create", `hotline token create --role operator|supervisor|admin --name "…" [--operator EXT]`,
		"make an HTTP API token (printed once)", tokenSettings("create", "name", "role", "operator"), runTokenCreate},
	{"token list", "hotline token list", "list the API tokens", tokenSettings("list"), runTokenList},
	{"token revoke", `hotline token revoke --name "…"`, "revoke an API token", tokenSettings("revoke", "name"), runTokenRevoke},
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, v := range verbs {
		words := strings.Fields(v.name)
		if len(args) < len(words) || strings.Join(args[:len(words)], " ") != v.name {
			continue
		}
		s := v.settings()
		if err := s.parse(args[len(words):], nil); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				s.usage(stdout, v.synopsis)
				return 0
			}
			fmt.Fprintf(stderr, "hotline %s: %v (see hotline %s --help)\n", v.name, err, v.name)
			return 2
		}
		err := v.run(context.Background(), s, stdout, stderr)
		var ue usageError
		var bv badValue
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ue), errors.As(err, &bv):
			fmt.Fprintf(stderr, "hotline %s: %s\n", v.name, oneLine(err))
			return 2
		default:
			fmt.Fprintf(stderr, "hotline %s: %s\n", v.name, oneLine(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "hotline: unknown command %q\n", args[0])
	printHelp(stderr)
	return 2
}

// oneLine writes an error on one line (drivers' messages may span several).
func oneLine(err error) string {
	text := strings.NewReplacer(":\n", ": ", "\n", "; ").Replace(err.Error())
	return strings.Join(strings.Fields(text), " ")
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Usage: hotline COMMAND [settings]\n\nCommands:")
	for _, v := range verbs {
		fmt.Fprintf(w, "  %-16s %s\n", v.name, v.help)
	}
	fmt.Fprintln(w, "\nRun hotline COMMAND --help for its settings.")
}
