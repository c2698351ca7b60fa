package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/term"

	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/replay"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

// newS3Client builds the client for s3:// paths from the default credential
// chain (environment, profile, SSO, instance role). Tests replace it.
var newS3Client = func(ctx context.Context) (replay.S3API, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg), nil
}

// now stamps detected_at; one instant per run, so that a replay's output
// depends only on its input. Tests pin it.
var now = time.Now

// memoryLimit is the soft heap limit for a replay when GOMEMLIMIT is unset:
// it makes the GC work harder before the process grows, which keeps a
// replay of any archive size within ~128 MB of RSS.
const memoryLimit = 80 << 20

const replaySynopsis = `[flags] PATH...

PATH is a CloudTrail file (.json.gz or .json), a directory (searched
recursively), or s3://bucket/prefix (listed and read with the default AWS
credential chain). Digest and Insights files are skipped by key.

Findings go to stdout; a summary by severity and rule goes to stderr.
Exit 0 when the replay ran, whatever it found (unreadable files are named
on stderr and the rest are still read); 1 when nothing could be read; 2 on
a usage error; 3 when --fail-on is given and a finding is that severe.`

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("replay", replaySynopsis, stderr)
	format := fs.String("format", "table", "output format: "+list(replay.Formats))
	minSev := fs.String("min-severity", "info", "print only findings at least this severe: critical|high|medium|low|info")
	failOn := fs.String("fail-on", "", "exit 3 when any finding is at least this severe (e.g. high)")
	storePath := fs.String("store", "", "NDJSON findings store: loaded first, new findings appended; the summary says how many are new")
	workers := fs.Int("workers", 0, "files read in parallel (default GOMAXPROCS)")
	quiet := fs.Bool("quiet", false, "no summary or progress on stderr")
	paths, code, done := parse(fs, args)
	if done {
		return code
	}
	if len(paths) == 0 {
		return usageError(fs, stderr, "no PATH given")
	}
	if !oneOf(*format, replay.Formats) {
		return usageError(fs, stderr, "unknown --format %q (want %s)", *format, list(replay.Formats))
	}
	min, err := finding.ParseSeverity(*minSev)
	if err != nil {
		return usageError(fs, stderr, "--min-severity: %v", err)
	}
	var failSev finding.Severity
	if *failOn != "" {
		if failSev, err = finding.ParseSeverity(*failOn); err != nil {
			return usageError(fs, stderr, "--fail-on: %v", err)
		}
	}
	if *workers < 0 {
		return usageError(fs, stderr, "--workers must be >= 0")
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	stamp := now().UTC().Truncate(time.Second)

	sources, skipped, problems := replay.Expand(ctx, paths, newS3Client)
	for _, p := range problems {
		fmt.Fprintf(stderr, "ctap replay: cannot read %v\n", p)
	}
	if len(sources) == 0 {
		fmt.Fprintln(stderr, "ctap replay: nothing to replay: no readable CloudTrail files in the given paths")
		return exitFailed
	}

	var st *store.Memory
	if *storePath != "" {
		if st, err = store.OpenFile(*storePath); err != nil {
			fmt.Fprintln(stderr, "ctap replay:", err)
			return exitFailed
		}
		defer st.Close()
	}

	opts := replay.Options{Workers: *workers, Engine: detect.Options{Now: func() time.Time { return stamp }}}
	if st != nil {
		opts.Store = st
	}
	var bar *progressBar
	if !*quiet && isTerminal(stderr) {
		bar = newProgressBar(stderr)
		opts.Progress = bar.update
	}
	res, err := replay.Run(ctx, sources, opts)
	bar.finish()
	if err != nil {
		fmt.Fprintln(stderr, "ctap replay:", err)
		return exitFailed
	}
	if st != nil {
		if err := st.Close(); err != nil {
			fmt.Fprintln(stderr, "ctap replay:", err)
			return exitFailed
		}
	}

	shown := make([]finding.Finding, 0, len(res.Findings))
	for _, f := range res.Findings {
		if f.Severity.AtLeast(min) {
			shown = append(shown, f)
		}
	}
	if err := replay.WriteFindings(stdout, *format, shown); err != nil {
		fmt.Fprintln(stderr, "ctap replay: write findings:", err)
		return exitFailed
	}
	if !*quiet {
		replay.WriteSummary(stderr, res, skipped, shown)
		if st != nil {
			fmt.Fprintf(stderr, "store %s: %d new findings (%d already stored)\n", *storePath, res.NewInStore, len(res.Findings)-res.NewInStore)
		}
		elapsed := time.Since(start)
		line := fmt.Sprintf("replayed in %.2fs (%s/s uncompressed)", elapsed.Seconds(), replay.HumanBytes(int64(float64(res.Bytes)/elapsed.Seconds())))
		if rss := peakRSS(); rss > 0 {
			line += fmt.Sprintf("; peak RSS %s", replay.HumanBytes(rss))
		}
		fmt.Fprintln(stderr, line)
	}
	if res.Files == 0 {
		fmt.Fprintln(stderr, "ctap replay: nothing could be read: every file was unreadable (named above)")
		return exitFailed
	}
	if n := len(problems) + len(res.Unreadable); n > 0 {
		fmt.Fprintf(stderr, "ctap replay: partial replay: %d paths or files could not be read (named above); the rest were replayed\n", n)
	}
	if failSev != "" {
		n := 0
		for _, f := range res.Findings {
			if f.Severity.AtLeast(failSev) {
				n++
			}
		}
		if n > 0 {
			fmt.Fprintf(stderr, "ctap replay: --fail-on %s: %d findings at or above %s\n", failSev, n, failSev)
			return exitFailOn
		}
	}
	return exitOK
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
