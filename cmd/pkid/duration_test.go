package main

import (
	"testing"
	"time"
)

func TestAddSpan(t *testing.T) {
	base := time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		span string
		want time.Time
	}{
		{"5y", time.Date(2033, 3, 1, 12, 0, 0, 0, time.UTC)}, // no 29 February in 2033
		{"90d", time.Date(2028, 5, 29, 12, 0, 0, 0, time.UTC)},
		{"12h", time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"30m", time.Date(2028, 2, 29, 12, 30, 0, 0, time.UTC)},
		{"45s", time.Date(2028, 2, 29, 12, 0, 45, 0, time.UTC)},
		{"1y1d", time.Date(2029, 3, 2, 12, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		got, err := addSpan(base, c.span)
		if err != nil {
			t.Errorf("addSpan(%q): %v", c.span, err)
			continue
		}
		if !got.Equal(c.want) {
			t.Errorf("addSpan(%q) = %v, want %v", c.span, got, c.want)
		}
	}
	for _, bad := range []string{"", "5", "y", "5q", "-1y", "1.5y", "5 y", "99999999y"} {
		if _, err := addSpan(base, bad); err == nil {
			t.Errorf("addSpan(%q) returned no error", bad)
		}
	}
}

func TestDateArgPassesDatesThrough(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, in := range []string{"", "2030-01-01", "2030-01-01T00:00:00Z", "not-a-date"} {
		got, err := dateArg(in, now)
		if err != nil || got != in {
			t.Errorf("dateArg(%q) = %q, %v; want it unchanged", in, got, err)
		}
	}
	got, err := dateArg("10y", now)
	if err != nil || got != "2036-01-01T00:00:00Z" {
		t.Errorf("dateArg(10y) = %q, %v; want 2036-01-01T00:00:00Z", got, err)
	}
}
