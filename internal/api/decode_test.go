package api

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	want := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := map[string]time.Time{
		"2030-01-01":                    want,
		"2030-01-01T00:00:00Z":          want,
		"2030-01-01T00:00:00.000Z":      want,
		"2030-01-01T02:00:00+02:00":     want,
		"2030-01-01T00:00:00":           want,
		"2030-01-01T00:00Z":             want,
		"2030-01-01T00:00:00.500Z":      want.Add(500 * time.Millisecond),
		"2029-12-31T19:00:00.000-05:00": want,
	}
	for in, w := range ok {
		got, err := parseDate(in)
		if err != nil || !got.Equal(w) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", in, got, err, w)
		}
	}
	for _, in := range []string{"", "tomorrow", "2030-13-01", "2030-01-01T25:00:00Z", "1949-12-31", "10000-01-01", "20300101"} {
		if _, err := parseDate(in); err == nil {
			t.Errorf("parseDate(%q) accepted", in)
		}
	}
}

func TestFormatTime(t *testing.T) {
	in := time.Date(2030, 1, 2, 3, 4, 5, 678900000, time.FixedZone("x", 3600))
	if got := formatTime(in); got != "2030-01-02T02:04:05.678Z" {
		t.Errorf("formatTime = %q", got)
	}
}
