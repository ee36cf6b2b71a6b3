package ticketing_test

import (
	"errors"
	"fmt"

	"hotline/ticketing"
)

// A patch is checked against the workflow before anything is stored: a resolved ticket may be closed or
// reopened, not sent back to a department.
func ExamplePatch_Check() {
	t := &ticketing.Ticket{Status: ticketing.Resolved, Department: "xd"}
	to := ticketing.Assigned
	_, err := ticketing.Patch{Status: &to, Department: new("gd")}.Check(t, ticketing.Actor{Role: ticketing.RoleOperator})
	var te *ticketing.TransitionError
	if errors.As(err, &te) {
		fmt.Println(te.From, "→", te.To, "refused; allowed:", te.Allowed)
	}
	// Output: resolved → assigned refused; allowed: [closed in_progress]
}

// Searches fold Vietnamese text, so a query with or without diacritics finds the same tickets.
func ExampleSearchKey() {
	fmt.Println(ticketing.SearchKey("Ô nhiễm tiếng ồn, Q.1"))
	fmt.Println(ticketing.SearchKey("o nhiem tieng on, q.1"))
	// Output:
	// o nhiem tieng on q 1
	// o nhiem tieng on q 1
}

// Reporters are masked for those who may not see them.
func ExampleReporter_Masked() {
	r := ticketing.Reporter{Name: "Nguyễn Văn An", Phone: "+84912345678", Email: "an@mail.vn"}
	fmt.Printf("%+v\n", r.Masked())
	// Output: {Name:N*** V*** A Phone:+849***678 Email:a***@mail.vn}
}
