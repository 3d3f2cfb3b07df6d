package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/errs"
)

// fields decodes a JSON object one field at a time and collects every
// problem as a field issue, so one 422 names all invalid fields. Unknown
// keys are ignored and an explicit null counts as absent.
type fields struct {
	raw    map[string]json.RawMessage
	path   []any
	issues *[]errs.FieldIssue
}

// readBody reads r's body as a JSON object, or as a form when the client
// sent application/x-www-form-urlencoded and allowForm is set.
func readBody(r *http.Request, allowForm bool) (*fields, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errs.New(errs.TooLarge, "Request body is larger than %d bytes", tooLarge.Limit)
		}
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "application/x-www-form-urlencoded" && allowForm:
		return formFields(string(data))
	case ct == "" || ct == "application/json" || strings.HasSuffix(ct, "+json"):
		return jsonFields(data)
	}
	return nil, errs.New(errs.BadRequest, "Unsupported Content-Type %q: send application/json", ct)
}

func jsonFields(data []byte) (*fields, error) {
	issues := []errs.FieldIssue{}
	f := &fields{raw: map[string]json.RawMessage{}, issues: &issues}
	if len(bytes.TrimSpace(data)) == 0 {
		return f, nil
	}
	if !utf8.Valid(data) {
		return nil, errs.New(errs.BadRequest, "Request body is not valid UTF-8")
	}
	if err := json.Unmarshal(data, &f.raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, errs.Invalid("body", "invalid_type", "Request body must be a JSON object")
		}
		return nil, errs.New(errs.BadRequest, "Request body is not valid JSON: %v", err)
	}
	if f.raw == nil { // the body was the literal null
		f.raw = map[string]json.RawMessage{}
	}
	return f, nil
}

func formFields(body string) (*fields, error) {
	values, err := url.ParseQuery(body)
	if err != nil {
		return nil, errs.New(errs.BadRequest, "Request body is not a valid form: %v", err)
	}
	issues := []errs.FieldIssue{}
	f := &fields{raw: map[string]json.RawMessage{}, issues: &issues}
	for k, v := range values {
		b, _ := json.Marshal(v[0])
		f.raw[k] = b
	}
	return f, nil
}

func (f *fields) add(name, code, message string) {
	path := append(append([]any{}, f.path...), name)
	*f.issues = append(*f.issues, errs.FieldIssue{Path: path, Message: message, Code: code})
}

// get returns the raw value of a field, nil when absent or null.
func (f *fields) get(name string) json.RawMessage {
	v, ok := f.raw[name]
	if !ok || string(v) == "null" {
		return nil
	}
	return v
}

func (f *fields) missing(name string) {
	f.add(name, "invalid_type", name+" is required")
}

// str returns a string field; nil when absent or null (an issue if required).
func (f *fields) str(name string, required bool) *string {
	v := f.get(name)
	if v == nil {
		if required {
			f.missing(name)
		}
		return nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		f.add(name, "invalid_type", fmt.Sprintf("%s must be a string, got %s", name, jsonKind(v)))
		return nil
	}
	return &s
}

// strLen is str with a length check in characters.
func (f *fields) strLen(name string, required bool, minLen, maxLen int) *string {
	s := f.str(name, required)
	if s == nil {
		return nil
	}
	n := utf8.RuneCountInString(*s)
	if n < minLen || n > maxLen {
		f.add(name, "invalid_string", fmt.Sprintf("%s must be %d to %d characters long, got %d", name, minLen, maxLen, n))
		return nil
	}
	return s
}

// enum returns a string field that must be one of allowed.
func (f *fields) enum(name string, required bool, allowed ...string) *string {
	s := f.str(name, required)
	if s == nil {
		return nil
	}
	for _, a := range allowed {
		if *s == a {
			return s
		}
	}
	f.add(name, "invalid_enum_value", fmt.Sprintf("%s must be one of %s, got %q", name, strings.Join(allowed, ", "), *s))
	return nil
}

// integer returns a whole-number field within [minValue, maxValue].
func (f *fields) integer(name string, required bool, minValue, maxValue int64) *int64 {
	v := f.get(name)
	if v == nil {
		if required {
			f.missing(name)
		}
		return nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		f.add(name, "invalid_type", fmt.Sprintf("%s must be a number, got %s", name, jsonKind(v)))
		return nil
	}
	i, err := n.Int64()
	if err != nil {
		f.add(name, "invalid_type", fmt.Sprintf("%s must be a whole number, got %s", name, n))
		return nil
	}
	if i < minValue || i > maxValue {
		code := "too_small"
		if i > maxValue {
			code = "too_big"
		}
		f.add(name, code, fmt.Sprintf("%s must be between %d and %d, got %d", name, minValue, maxValue, i))
		return nil
	}
	return &i
}

// boolean returns a true/false field.
func (f *fields) boolean(name string) *bool {
	v := f.get(name)
	if v == nil {
		return nil
	}
	var b bool
	if err := json.Unmarshal(v, &b); err != nil {
		f.add(name, "invalid_type", fmt.Sprintf("%s must be a boolean, got %s", name, jsonKind(v)))
		return nil
	}
	return &b
}

// object returns a nested object field whose issues carry its path.
func (f *fields) object(name string, required bool) *fields {
	v := f.get(name)
	if v == nil {
		if required {
			f.missing(name)
		}
		return nil
	}
	sub := &fields{path: append(append([]any{}, f.path...), name), issues: f.issues}
	if err := json.Unmarshal(v, &sub.raw); err != nil || sub.raw == nil {
		f.add(name, "invalid_type", fmt.Sprintf("%s must be an object, got %s", name, jsonKind(v)))
		return nil
	}
	return sub
}

// date returns a date field in any ISO 8601 / RFC 3339 form.
func (f *fields) date(name string, required bool) *time.Time {
	s := f.str(name, required)
	if s == nil {
		return nil
	}
	t, err := parseDate(*s)
	if errors.Is(err, errYearOutOfRange) {
		f.add(name, "invalid_date", fmt.Sprintf("Invalid date: %s must be in the years %d to %d", name, minYear, maxYear))
		return nil
	}
	if err != nil {
		f.add(name, "invalid_date", "Invalid date format")
		return nil
	}
	return &t
}

// err returns the Validation error for every issue found, or nil.
func (f *fields) err() error {
	if len(*f.issues) == 0 {
		return nil
	}
	first := (*f.issues)[0]
	return &errs.Error{Kind: errs.Validation, Message: first.Message, Issues: *f.issues}
}

func jsonKind(v json.RawMessage) string {
	switch t := bytes.TrimSpace(v); {
	case len(t) == 0:
		return "nothing"
	case t[0] == '"':
		return "string"
	case t[0] == '{':
		return "object"
	case t[0] == '[':
		return "array"
	case t[0] == 't' || t[0] == 'f':
		return "boolean"
	default:
		return "number"
	}
}

// dateLayouts are the ISO 8601 forms accepted in requests, tried in order.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
}

// Dates before 1950 or after 9999 cannot be encoded as X.509 validity
// (RFC 5280 §4.1.2.5), so they are rejected as invalid.
const minYear, maxYear = 1950, 9999

var errYearOutOfRange = errors.New("year out of range")

// parseDate reads an ISO 8601 date; forms without a zone are UTC.
func parseDate(s string) (time.Time, error) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if t.Year() < minYear || t.Year() > maxYear {
				return time.Time{}, fmt.Errorf("%w: %d", errYearOutOfRange, t.Year())
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date %q", s)
}

// formatTime renders t as YYYY-MM-DDTHH:mm:ss.sssZ.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

// pathUUID returns a path parameter that must be a UUID; a malformed one
// is a 422 naming the parameter, never a lookup.
func pathUUID(r *http.Request, name string) (string, error) {
	v := r.PathValue(name)
	if err := checkUUID(name, v); err != nil {
		return "", err
	}
	return strings.ToLower(v), nil
}

// checkUUID returns a Validation error unless v is a UUID in the
// canonical 36-character form.
func checkUUID(name, v string) error {
	if _, err := uuid.Parse(v); err != nil || len(v) != 36 {
		return errs.Invalid(name, "invalid_string", fmt.Sprintf("%s must be a UUID, got %q", name, v))
	}
	return nil
}
