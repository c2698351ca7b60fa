// Command ctap runs the platform's detections locally: replay CloudTrail
// files or an S3 archive, list the rules, generate realistic logs, and run a
// self-contained demo.
//
// Exit codes: 0 ran (whatever it found); 1 failed (e.g. nothing could be
// read); 2 usage error; 3 `replay --fail-on` threshold met.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes, documented in the README and the usage text.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	exitFailOn = 3
)

const usage = `ctap: CloudTrail Analytics Platform, local runner

Usage:
  ctap replay [flags] PATH...   run files, directories or s3://bucket/prefix through every detection
  ctap rules  [flags]           list the detection catalogue
  ctap gen    --out DIR [flags] write realistic CloudTrail logs with planted attacks
  ctap demo   [--out DIR]       generate logs, replay them and summarise the findings
  ctap report --from PATH [--out DIR]  compliance report (report.json, report.html) from local logs

Run "ctap COMMAND -h" for a command's flags.

Exit codes: 0 ran (whatever it found), 1 failed, 2 usage error,
            3 replay --fail-on threshold met.
`

// command is one subcommand: it parses its own flags from args.
type command func(args []string, stdout, stderr io.Writer) int

var commands = map[string]command{
	"replay": runReplay,
	"rules":  runRules,
	"gen":    runGen,
	"demo":   runDemo,
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ctap: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	return cmd(args[1:], stdout, stderr)
}

// newFlags returns a flag set that reports errors instead of exiting, with
// a usage text that starts with synopsis.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ctap "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ctap %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags wherever they appear among the positional arguments
// (ctap replay DIR --format json works), and returns the positionals. done
// is true with a code when the caller should return at once (-h, errors).
func parse(fs *flag.FlagSet, args []string) (positional []string, code int, done bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, true
			}
			return nil, exitUsage, true
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, 0, false
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), 0, false
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// usageError prints a usage problem with the command's usage and returns 2.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, a...))
	fs.Usage()
	return exitUsage
}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func list(vs []string) string { return strings.Join(vs, "|") }
