package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/gen"
	"github.com/ctap-platform/ctap/lambda/internal/replay"
	"github.com/ctap-platform/ctap/lambda/internal/report"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

func init() {
	commands["report"] = runReport
	demoSteps = append(demoSteps, demoReport)
}

const reportSynopsis = `--from PATH [--out DIR] [flags]

Builds the compliance report (report.json and a self-contained report.html)
from local CloudTrail logs: the compliance controls are evaluated on the
events themselves, and the findings come from --findings (an NDJSON file from
ctap replay --store or ctap demo) or, without it, from running the rules over
the same logs.`

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("report", reportSynopsis, stderr)
	var from multiFlag
	fs.Var(&from, "from", "CloudTrail logs: a file or directory (repeatable)")
	out := fs.String("out", "out", "directory for report.json and report.html")
	findingsPath := fs.String("findings", "", "NDJSON findings file; default: detect from the --from logs")
	allowed := fs.String("allowed-regions", "", "comma-separated regions allowed by policy (default: no region check)")
	rest, code, done := parse(fs, args)
	if done {
		return code
	}
	paths := append([]string(nil), from...)
	paths = append(paths, rest...)
	if len(paths) == 0 {
		return usageError(fs, stderr, "--from PATH is required")
	}
	var fsList []finding.Finding
	if *findingsPath != "" {
		m, err := store.OpenFile(*findingsPath)
		if err != nil {
			fmt.Fprintf(stderr, "ctap report: findings %s: %v\n", *findingsPath, err)
			return exitFailed
		}
		fsList = m.All()
		if fsList == nil {
			fsList = []finding.Finding{}
		}
	}
	res, err := writeLocalReport(context.Background(), localReport{
		Paths: paths, Findings: fsList, OutDir: *out, AllowedRegions: splitList(*allowed), Stderr: stderr,
	})
	if err != nil {
		fmt.Fprintln(stderr, "ctap report:", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "%s: %s (%d events, %d findings)\n", res.Report.Title, strings.ToUpper(string(res.Report.Status)), res.Events, res.Report.Findings.Total)
	for _, c := range res.Report.Controls {
		fmt.Fprintf(stdout, "  %-10s %s: %s\n", strings.ToUpper(string(c.Status)), c.Title, c.Reason)
	}
	fmt.Fprintf(stdout, "wrote %s\nwrote %s\n", res.JSONPath, res.HTMLPath)
	return exitOK
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// localReport is what a local report is built from.
type localReport struct {
	Paths          []string
	Findings       []finding.Finding // nil: detect them from the logs
	OutDir         string
	AllowedRegions []string
	Stderr         io.Writer // unreadable files are named here
	Source         string    // how the report names its input; default: the paths
}

type localResult struct {
	Report             *report.Report
	Events             int
	JSONPath, HTMLPath string
}

// writeLocalReport reads every event once (in parallel across files), feeds
// the event-based controls and, when no findings were given, the rules; then
// writes OUT/report.json and OUT/report.html.
func writeLocalReport(ctx context.Context, in localReport) (localResult, error) {
	sources, _, problems := replay.Expand(ctx, in.Paths, nil)
	for _, p := range problems {
		fmt.Fprintln(in.Stderr, "ctap report:", p)
	}
	if len(sources) == 0 {
		return localResult{}, fmt.Errorf("no CloudTrail files under %s", strings.Join(in.Paths, ", "))
	}
	controls := report.NewEventControls()
	var session *detect.Session
	if in.Findings == nil {
		session = detect.NewEngine(detect.Catalogue(), detect.Options{}).NewSession()
	}
	var (
		mu       sync.Mutex
		detected = map[string]finding.Finding{}
		wg       sync.WaitGroup
		next     = make(chan replay.Source)
	)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for src := range next {
				err := readEvents(ctx, src, func(ev *cloudtrail.Event) {
					controls.Add(ev)
					if session == nil {
						return
					}
					for _, f := range session.Process(ev) {
						mu.Lock()
						detected[f.FindingID] = f
						mu.Unlock()
					}
				})
				if err != nil {
					fmt.Fprintf(in.Stderr, "ctap report: %s: %v\n", src.Name, err)
				}
			}
		}()
	}
	for _, s := range sources {
		next <- s
	}
	close(next)
	wg.Wait()

	fs := in.Findings
	if fs == nil {
		for _, f := range detected {
			fs = append(fs, f)
		}
		store.Sort(fs)
	}
	source := fmt.Sprintf("local replay of %s (%d files)", strings.Join(in.Paths, ", "), len(sources))
	if in.Source != "" {
		source = fmt.Sprintf("%s (%d files)", in.Source, len(sources))
	}
	rep := report.Local(source, controls, fs, in.AllowedRegions, now())
	events, _, _ := controls.Span()
	res := localResult{Report: rep, Events: events, JSONPath: filepath.Join(in.OutDir, "report.json"), HTMLPath: filepath.Join(in.OutDir, "report.html")}
	if err := os.MkdirAll(in.OutDir, 0o755); err != nil {
		return res, err
	}
	if err := writeFile(res.JSONPath, rep.JSON); err != nil {
		return res, err
	}
	if err := writeFile(res.HTMLPath, rep.HTML); err != nil {
		return res, err
	}
	return res, nil
}

// readEvents streams one file; malformed records are skipped (the reader
// goes on), and an unreadable file ends with its error.
func readEvents(ctx context.Context, src replay.Source, fn func(*cloudtrail.Event)) error {
	rc, err := src.Open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	rd, err := cloudtrail.NewReader(rc, src.Name)
	if err != nil {
		return err
	}
	for {
		ev, err := rd.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, cloudtrail.ErrMalformedRecord):
			continue
		case err != nil:
			return err
		}
		fn(ev)
	}
}

// writeFile writes through a temporary file so that a failed render never
// leaves a half-written report where the last good one was.
func writeFile(path string, render func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := render(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// demoReport is the demo's last step: the compliance report of the
// generated logs, with the generator's regions as the allow-list.
func demoReport(ctx context.Context, run *demoRun) error {
	fmt.Fprintln(run.Stdout, "\n== 4. Compliance report")
	started := time.Now()
	res, err := writeLocalReport(ctx, localReport{Paths: []string{run.LogsDir}, Findings: run.Findings, OutDir: run.OutDir,
		AllowedRegions: gen.Regions, Stderr: run.Stdout,
		Source: fmt.Sprintf("ctap demo: generated logs of %d accounts, %s to %s", len(run.Gen.Accounts),
			run.Gen.Start.Format("2006-01-02"), run.Gen.End.Format("2006-01-02"))})
	if err != nil {
		return err
	}
	for _, c := range res.Report.Controls {
		fmt.Fprintf(run.Stdout, "  %-10s %s: %s\n", strings.ToUpper(string(c.Status)), c.Title, c.Reason)
	}
	abs, err := filepath.Abs(res.HTMLPath)
	if err != nil {
		abs = res.HTMLPath
	}
	fmt.Fprintf(run.Stdout, "(%.1fs)\nReport: %s\n", time.Since(started).Seconds(), abs)
	run.Outputs = append(run.Outputs, res.JSONPath, res.HTMLPath)
	return nil
}
