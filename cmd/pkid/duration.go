package main

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// spanPattern matches a span such as 5y, 90d, 12h, 30m, 45s or a sum like
// 1y30d: whole numbers, each followed by one of the units y, d, h, m, s.
var (
	spanPattern = regexp.MustCompile(`^([0-9]+[ydhms])+$`)
	spanPart    = regexp.MustCompile(`([0-9]+)([ydhms])`)
)

// addSpan adds a span to t. Years and days are calendar steps (AddDate),
// so 1y from 2030-03-01 is 2031-03-01 whatever the leap days; h, m and s
// are fixed durations.
func addSpan(t time.Time, span string) (time.Time, error) {
	if !spanPattern.MatchString(span) {
		return time.Time{}, fmt.Errorf("invalid span %q: use whole numbers with the units y, d, h, m or s, such as 5y, 90d or 1y30d", span)
	}
	for _, m := range spanPart.FindAllStringSubmatch(span, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 1000000 {
			return time.Time{}, fmt.Errorf("invalid span %q: %s is too large", span, m[1])
		}
		switch m[2] {
		case "y":
			t = t.AddDate(n, 0, 0)
		case "d":
			t = t.AddDate(0, 0, n)
		case "h":
			t = t.Add(time.Duration(n) * time.Hour)
		case "m":
			t = t.Add(time.Duration(n) * time.Minute)
		case "s":
			t = t.Add(time.Duration(n) * time.Second)
		}
	}
	return t, nil
}

// dateArg turns a date flag into the request value. A span such as 10y
// becomes now plus the span, in RFC 3339. Anything else is sent as given,
// so the server validates the date and names the field when it is wrong.
func dateArg(value string, now time.Time) (string, error) {
	if value == "" || !spanPattern.MatchString(value) {
		return value, nil
	}
	t, err := addSpan(now.UTC(), value)
	if err != nil {
		return "", err
	}
	return t.Format(time.RFC3339), nil
}
