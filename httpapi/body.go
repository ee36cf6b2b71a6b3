package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxBody is the largest request body accepted (413 beyond).
const maxBody = 1 << 20

// unprocessable is a well-formed body with unknown or invalid fields (422); its message names them.
type unprocessable struct{ msg string }

func (e unprocessable) Error() string { return e.msg }

// tooLarge is a body over maxBody (413).
type tooLarge struct{}

func (tooLarge) Error() string {
	return fmt.Sprintf("the request body is larger than %d bytes", maxBody)
}

// decode reads a JSON object into v: malformed JSON is a badRequest, unknown fields are unprocessable.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
	case errors.As(err, &mbe):
		return tooLarge{}
	case errors.Is(err, io.EOF):
		return badRequest{"the request body is empty: send a JSON object"}
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest{"the request body is not valid JSON: " + err.Error()}
	case errors.As(err, &te) && te.Field == "":
		return badRequest{"the request body must be a JSON object"}
	case errors.As(err, &te):
		return unprocessable{fmt.Sprintf("field %q must be a %s", te.Field, te.Type)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return unprocessable{"unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")}
	default:
		return badRequest{"the request body is not a JSON object: " + err.Error()}
	}
	if dec.More() {
		return badRequest{"the request body holds more than one JSON value"}
	}
	return nil
}
