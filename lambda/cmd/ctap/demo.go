package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/gen"
	"github.com/ctap-platform/ctap/lambda/internal/replay"
)

// demoRun is the state a demo passes from step to step. A later step (such
// as writing an HTML report) reads FindingsPath or Findings; add it to
// demoSteps.
type demoRun struct {
	OutDir       string
	LogsDir      string // generated logs (temporary unless --keep-logs)
	FindingsPath string // OUT/findings.ndjson
	Gen          gen.Result
	Replay       replay.Result
	Findings     []finding.Finding
	Stdout       io.Writer
	// Outputs lists the files the demo wrote, for the closing message.
	Outputs []string
}

// demoStep runs after the replay; it may add to run.Outputs.
type demoStep func(ctx context.Context, run *demoRun) error

// demoSteps run in order after the findings are written.
var demoSteps []demoStep

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", "[--out DIR] [flags]\n\nGenerates an organization's CloudTrail logs with every attack the rules know planted\nin benign traffic, replays them through the detections and summarises the findings.", stderr)
	out := fs.String("out", "out", "directory for the demo's outputs (findings.ndjson, ...)")
	accounts := fs.Int("accounts", 5, "member accounts to generate")
	days := fs.Int("days", 2, "days of logs to generate")
	seed := fs.Uint64("seed", 1, "random seed for the generator")
	keepLogs := fs.Bool("keep-logs", false, "write the generated logs to OUT/logs instead of a temporary directory")
	rest, code, done := parse(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError(fs, stderr, "unexpected argument %q", rest[0])
	}
	if *accounts < 1 || *days < 1 {
		return usageError(fs, stderr, "--accounts and --days must be >= 1")
	}
	if err := demo(context.Background(), *out, *accounts, *days, *seed, *keepLogs, stdout); err != nil {
		fmt.Fprintln(stderr, "ctap demo:", err)
		return exitFailed
	}
	return exitOK
}

func demo(ctx context.Context, out string, accounts, days int, seed uint64, keepLogs bool, stdout io.Writer) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	run := &demoRun{OutDir: out, FindingsPath: filepath.Join(out, "findings.ndjson"), Stdout: stdout}
	if keepLogs {
		run.LogsDir = filepath.Join(out, "logs")
		if err := os.RemoveAll(run.LogsDir); err != nil {
			return err
		}
	} else {
		dir, err := os.MkdirTemp("", "ctap-demo-logs-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		run.LogsDir = dir
	}

	fmt.Fprintln(stdout, "== 1. Generating CloudTrail logs")
	started := time.Now()
	res, err := gen.Generate(gen.Options{Out: run.LogsDir, Accounts: accounts, Days: days, Scenario: "all", Seed: seed})
	if err != nil {
		return err
	}
	run.Gen = res
	printGenResult(stdout, res)
	fmt.Fprintf(stdout, "(%.1fs)\n\n", time.Since(started).Seconds())

	fmt.Fprintln(stdout, "== 2. Replaying them through every detection")
	started = time.Now()
	sources, skipped, problems := replay.Expand(ctx, []string{run.LogsDir}, nil)
	if len(problems) > 0 {
		return fmt.Errorf("expand generated logs: %v", problems[0])
	}
	stamp := now().UTC().Truncate(time.Second)
	rr, err := replay.Run(ctx, sources, replay.Options{Engine: detect.Options{Now: func() time.Time { return stamp }}})
	if err != nil {
		return err
	}
	run.Replay, run.Findings = rr, rr.Findings
	replay.WriteSummary(stdout, rr, skipped, rr.Findings)
	fmt.Fprintf(stdout, "(%.1fs)\n\n", time.Since(started).Seconds())

	f, err := os.Create(run.FindingsPath)
	if err != nil {
		return err
	}
	if err := replay.WriteFindings(f, "ndjson", rr.Findings); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	run.Outputs = append(run.Outputs, run.FindingsPath)

	fmt.Fprintln(stdout, "== 3. Example findings")
	printExamples(stdout, rr.Findings)

	missing := 0
	fired := map[string]bool{}
	for _, f := range rr.Findings {
		fired[f.RuleID] = true
	}
	for _, id := range res.PlantedRules {
		if !fired[id] {
			missing++
			fmt.Fprintf(stdout, "  planted but not detected: %s\n", id)
		}
	}
	fmt.Fprintf(stdout, "\n%d of %d planted attacks detected.\n", len(res.PlantedRules)-missing, len(res.PlantedRules))

	for _, step := range demoSteps {
		if err := step(ctx, run); err != nil {
			return err
		}
	}

	fmt.Fprintln(stdout, "\n== Outputs")
	for _, o := range run.Outputs {
		fmt.Fprintf(stdout, "  %s\n", o)
	}
	if keepLogs {
		fmt.Fprintf(stdout, "  %s (generated logs: try `ctap replay --format table %s`)\n", run.LogsDir, run.LogsDir)
	} else {
		fmt.Fprintln(stdout, "  (generated logs were temporary; --keep-logs keeps them under OUT/logs)")
	}
	if missing > 0 {
		return fmt.Errorf("%d planted attacks were not detected", missing)
	}
	return nil
}

// printExamples shows the first finding of each severity, and one
// aggregate finding, in full enough detail to read.
func printExamples(w io.Writer, fs []finding.Finding) {
	shown := map[finding.Severity]bool{}
	for _, sev := range finding.Severities {
		for _, f := range fs {
			if f.Severity == sev && !shown[sev] {
				shown[sev] = true
				printFinding(w, f)
			}
		}
	}
}

func printFinding(w io.Writer, f finding.Finding) {
	fmt.Fprintf(w, "  [%s] %s (%s)\n", f.Severity, f.Title, f.RuleID)
	fmt.Fprintf(w, "      %s\n", f.Summary)
	principal := f.PrincipalARN
	if principal == "" {
		principal = "(unknown principal)"
	}
	fmt.Fprintf(w, "      account %s, region %s, at %s, by %s from %s\n", f.AccountID, f.Region, f.EventTime, principal, f.SourceIP)
	fmt.Fprintf(w, "      %s / %s %s; finding %s…\n", f.Tactic, f.Technique, f.References, f.FindingID[:16])
}
