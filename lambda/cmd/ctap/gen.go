package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/gen"
	"github.com/ctap-platform/ctap/lambda/internal/replay"
)

func genSynopsis() string {
	return `--out DIR [flags]

Writes an organization trail's archive under DIR:
AWSLogs/<org-id>/<account-id>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz,
plus digest files under CloudTrail-Digest/ (which replay skips). Background
traffic is benign; --scenario chooses the planted attacks:
  ` + strings.Join(gen.Scenarios(detect.Catalogue()), ", ") + `,
  or any rule ID from "ctap rules".
The same flags and --seed give byte-identical files.`
}

func runGen(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("gen", genSynopsis(), stderr)
	out := fs.String("out", "", "directory to write into (required)")
	accounts := fs.Int("accounts", 5, "member accounts")
	days := fs.Int("days", 1, "days of logs, ending on --end")
	scenario := fs.String("scenario", "all", "planted attacks: all, benign, cis, a tactic or a rule ID")
	seed := fs.Uint64("seed", 1, "random seed")
	sizeMB := fs.Int("size-mb", 0, "scale background traffic to at least this many MiB of uncompressed JSON")
	end := fs.String("end", gen.DefaultEnd.Format("2006-01-02"), "last day of logs (UTC, YYYY-MM-DD)")
	rest, code, done := parse(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError(fs, stderr, "unexpected argument %q", rest[0])
	}
	if *out == "" {
		return usageError(fs, stderr, "--out is required")
	}
	endDay, err := time.Parse("2006-01-02", *end)
	if err != nil {
		return usageError(fs, stderr, "--end %q is not a date like 2026-01-15", *end)
	}
	if _, err := gen.Select(detect.Catalogue(), *scenario); err != nil {
		return usageError(fs, stderr, "--scenario: %v", err)
	}
	if *accounts < 1 || *days < 1 || *sizeMB < 0 {
		return usageError(fs, stderr, "--accounts and --days must be >= 1, --size-mb >= 0")
	}
	res, err := gen.Generate(gen.Options{Out: *out, Accounts: *accounts, Days: *days, Scenario: *scenario, Seed: *seed, SizeMB: *sizeMB, End: endDay})
	if err != nil {
		fmt.Fprintln(stderr, "ctap gen:", err)
		return exitFailed
	}
	printGenResult(stdout, res)
	return exitOK
}

func printGenResult(w io.Writer, res gen.Result) {
	fmt.Fprintf(w, "generated %d event files (%d records, %s uncompressed, %s gzipped) and %d digest files in %s\n",
		res.EventFiles, res.Records, replay.HumanBytes(res.Bytes), replay.HumanBytes(res.GzipBytes), res.DigestFiles, res.Dir)
	fmt.Fprintf(w, "organization %s, %d accounts (%s), regions %s, %s to %s\n", res.OrgID, len(res.Accounts),
		strings.Join(res.Accounts, ", "), strings.Join(res.Regions, ", "), res.Start.Format("2006-01-02"), res.End.Format("2006-01-02"))
	planted := 0
	for _, n := range res.Planted {
		planted += n
	}
	fmt.Fprintf(w, "planted %d attack records for %d rules\n", planted, len(res.PlantedRules))
}
