// Package config loads a function's settings from environment variables at
// cold start. Every getter records what is missing or malformed instead of
// failing at once, so Err reports every problem in one error: an operator who
// fixes a Terraform variable learns about all of them from one failed deploy.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Problem is one missing or malformed variable.
type Problem struct {
	Name   string // the environment variable
	Reason string // what is wrong with it, e.g. "required but not set"
}

// Error lists every Problem found while loading. It is returned by Env.Err.
type Error struct {
	Problems []Problem
}

// Error names every variable and what is wrong with it.
func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Name + ": " + p.Reason
	}
	noun := "problems"
	if len(e.Problems) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("invalid environment (%d %s): %s", len(e.Problems), noun, strings.Join(parts, "; "))
}

// Names returns the variables with problems, in the order they were read.
func (e *Error) Names() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Name
	}
	return out
}

// Env reads variables through a lookup function and collects problems.
// It is not safe for concurrent use; load configuration once, at cold start.
type Env struct {
	lookup   func(string) (string, bool)
	problems []Problem
}

// FromOS reads the process environment.
func FromOS() *Env { return &Env{lookup: os.LookupEnv} }

// FromMap reads the given variables only; tests and local runs use it.
func FromMap(vars map[string]string) *Env {
	return &Env{lookup: func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}}
}

// Fail records a problem with name; use it for checks the getters do not
// cover (e.g. two variables that must agree).
func (e *Env) Fail(name, format string, args ...any) {
	e.problems = append(e.problems, Problem{Name: name, Reason: fmt.Sprintf(format, args...)})
}

// Err returns nil when every variable read so far was valid, else an *Error
// naming each problem.
func (e *Env) Err() error {
	if len(e.problems) == 0 {
		return nil
	}
	return &Error{Problems: append([]Problem(nil), e.problems...)}
}

// raw returns the trimmed value and whether it is set to something non-blank.
func (e *Env) raw(name string) (string, bool) {
	v, ok := e.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

// String returns a required variable; blank counts as missing.
func (e *Env) String(name string) string {
	v, ok := e.raw(name)
	if !ok {
		e.Fail(name, "required but not set")
	}
	return v
}

// StringOr returns the variable, or def when it is unset or blank.
func (e *Env) StringOr(name, def string) string {
	if v, ok := e.raw(name); ok {
		return v
	}
	return def
}

// OneOf returns the variable (or def when unset), which must be one of allowed.
func (e *Env) OneOf(name, def string, allowed ...string) string {
	v := e.StringOr(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	e.Fail(name, "%q is not one of %s", v, strings.Join(allowed, ", "))
	return def
}

// Int returns an optional integer, def when unset.
func (e *Env) Int(name string, def int) int {
	return e.IntRange(name, def, minInt, maxInt)
}

const (
	maxInt = int(^uint(0) >> 1)
	minInt = -maxInt - 1
)

// IntRange returns an optional integer within [min, max], def when unset.
func (e *Env) IntRange(name string, def, min, max int) int {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.Fail(name, "%q is not an integer", v)
		return def
	}
	if n < min || n > max {
		e.Fail(name, "%d is outside [%d, %d]", n, min, max)
		return def
	}
	return n
}

// Float returns an optional number, def when unset. NaN and infinities are
// rejected because no threshold means anything with them.
func (e *Env) Float(name string, def float64) float64 {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != f || f > 1e308 || f < -1e308 {
		e.Fail(name, "%q is not a finite number", v)
		return def
	}
	return f
}

// Duration returns an optional Go duration ("90s", "5m"), def when unset.
func (e *Env) Duration(name string, def time.Duration) time.Duration {
	v, ok := e.raw(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		e.Fail(name, "%q is not a duration such as 90s or 5m", v)
		return def
	}
	return d
}

// List returns a comma-separated list with blanks trimmed and empty items
// dropped; nil when unset.
func (e *Env) List(name string) []string {
	v, ok := e.raw(name)
	if !ok {
		return nil
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// JSONMap returns a required JSON object of strings, e.g. COMPLIANCE_QUERY_IDS.
func (e *Env) JSONMap(name string) map[string]string {
	v, ok := e.raw(name)
	if !ok {
		e.Fail(name, "required but not set")
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil || m == nil {
		e.Fail(name, "not a JSON object of strings: %v", jsonReason(err))
		return nil
	}
	return m
}

func jsonReason(err error) string {
	if err == nil {
		return "null"
	}
	return err.Error()
}

// arnPattern is the shape arn:partition:service:region:account:resource; the
// region and account may be empty (S3, IAM).
var arnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$`)

// ARN returns a required variable that must look like an ARN.
func (e *Env) ARN(name string) string {
	v, ok := e.raw(name)
	if !ok {
		e.Fail(name, "required but not set")
		return ""
	}
	if !arnPattern.MatchString(v) {
		e.Fail(name, "%q is not an ARN (arn:partition:service:region:account:resource)", v)
		return ""
	}
	return v
}

// LogLevel reads LOG_LEVEL (debug, info, warn, error; default info).
func (e *Env) LogLevel() slog.Level {
	switch strings.ToLower(e.StringOr("LOG_LEVEL", "info")) {
	case "debug":
		return slog.LevelDebug
	case "info":
		return slog.LevelInfo
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	v, _ := e.raw("LOG_LEVEL")
	e.Fail("LOG_LEVEL", "%q is not one of debug, info, warn, error", v)
	return slog.LevelInfo
}

// ErrInvalid matches every *Error under errors.Is, so a caller can tell a
// configuration failure from others without errors.As.
var ErrInvalid = errors.New("invalid environment")

// Is makes errors.Is(err, ErrInvalid) true for an *Error.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Findings holds the findings-table settings shared by every function that
// writes findings.
type Findings struct {
	Table     string        // FINDINGS_TABLE (required)
	Retention time.Duration // FINDINGS_TTL_DAYS days (default 90, 1..3650)
}

// Findings reads FINDINGS_TABLE and FINDINGS_TTL_DAYS.
func (e *Env) Findings() Findings {
	return Findings{
		Table:     e.String("FINDINGS_TABLE"),
		Retention: time.Duration(e.IntRange("FINDINGS_TTL_DAYS", 90, 1, 3650)) * 24 * time.Hour,
	}
}
