// Package gen writes realistic, deterministic CloudTrail log archives for
// demos, tests and benchmarks: an organization trail's key layout, benign
// background traffic from many principals and services, a few digest files
// (which readers must skip), and planted attacks taken from each detection
// rule's positive example. The same Options give byte-identical files.
package gen

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/detect"
)

// Options control what Generate writes.
type Options struct {
	Out      string // directory to write into (created)
	Accounts int    // member accounts (>= 1); the first is the management account
	Days     int    // days of logs, ending on End
	// Scenario selects the planted attacks: see Scenarios.
	Scenario string
	Seed     uint64
	// SizeMB, when > 0, scales background traffic so that the event files
	// hold at least this many MiB of uncompressed JSON.
	SizeMB int
	// End is the last day of logs (UTC); zero means DefaultEnd. Fixed rather
	// than "today" so that a seed always gives the same archive.
	End time.Time
	// Rules to plant; nil means detect.Catalogue().
	Rules []detect.Rule
}

// DefaultEnd is the last day generated when Options.End is zero.
var DefaultEnd = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

// Result describes what Generate wrote.
type Result struct {
	Dir          string
	OrgID        string
	Accounts     []string
	Regions      []string
	Start, End   time.Time
	EventFiles   int
	DigestFiles  int
	Records      int            // records in event files, planted ones included
	Bytes        int64          // uncompressed JSON bytes of the event files
	GzipBytes    int64          // bytes on disk of the event files
	Planted      map[string]int // rule ID -> planted records
	PlantedRules []string       // rule IDs planted, sorted
}

// Regions are the regions traffic is spread over; the first is home.
var Regions = []string{"us-east-1", "eu-west-1", "us-west-2"}

// slotsPerDay: CloudTrail delivers a file per account and region roughly
// every five minutes when busy; hourly slots keep a demo small while still
// giving many files.
const slotsPerDay = 24

// Scenarios lists the scenario names Generate accepts besides rule IDs:
// "all" (every rule), "benign" (background traffic only), "cis" (rules that
// implement a CIS control), and one name per ATT&CK tactic, e.g.
// "defense-evasion".
func Scenarios(rules []detect.Rule) []string {
	set := map[string]bool{}
	for _, r := range rules {
		set[tacticSlug(r.Tactic)] = true
	}
	out := []string{"all", "benign", "cis"}
	var tactics []string
	for t := range set {
		tactics = append(tactics, t)
	}
	sort.Strings(tactics)
	return append(out, tactics...)
}

func tacticSlug(t string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(t)), " ", "-")
}

// Select returns the rules a scenario plants, or an error naming the valid
// scenarios.
func Select(rules []detect.Rule, scenario string) ([]detect.Rule, error) {
	s := strings.ToLower(strings.TrimSpace(scenario))
	var out []detect.Rule
	for _, r := range rules {
		switch {
		case s == "all" || s == "":
		case s == "benign":
			continue
		case s == "cis":
			if !hasCIS(r) {
				continue
			}
		case s == tacticSlug(r.Tactic) || s == r.ID:
		default:
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 && s != "benign" {
		return nil, fmt.Errorf("unknown scenario %q: want one of %s, or a rule ID (ctap rules lists them)", scenario, strings.Join(Scenarios(rules), ", "))
	}
	return out, nil
}

func hasCIS(r detect.Rule) bool {
	for _, ref := range r.References {
		if strings.HasPrefix(ref, "CIS") {
			return true
		}
	}
	return false
}

// fileSpec is one event file to write.
type fileSpec struct {
	account, region string
	slot            time.Time // start of the hour the file covers
	pass            int       // > 0 for top-up passes of SizeMB
	records         int       // background records
	planted         []plant
	seed            uint64
}

type plant struct {
	at  time.Time
	raw []byte
}

// Generate writes the archive described by opts.
func Generate(opts Options) (Result, error) {
	if opts.Out == "" {
		return Result{}, errors.New("gen: no output directory")
	}
	if opts.Accounts < 1 || opts.Accounts > 1000 {
		return Result{}, fmt.Errorf("gen: accounts must be 1..1000, got %d", opts.Accounts)
	}
	if opts.Days < 1 || opts.Days > 366 {
		return Result{}, fmt.Errorf("gen: days must be 1..366, got %d", opts.Days)
	}
	if opts.SizeMB < 0 {
		return Result{}, fmt.Errorf("gen: size-mb must be >= 0, got %d", opts.SizeMB)
	}
	rules := opts.Rules
	if rules == nil {
		rules = detect.Catalogue()
	}
	selected, err := Select(rules, opts.Scenario)
	if err != nil {
		return Result{}, err
	}
	end := opts.End
	if end.IsZero() {
		end = DefaultEnd
	}
	end = end.UTC().Truncate(24 * time.Hour)
	start := end.AddDate(0, 0, -(opts.Days - 1))

	rng := rand.New(rand.NewPCG(opts.Seed, 0x6374617067656e)) // "ctapgen"
	world := newWorld(rng, opts.Accounts)
	res := Result{
		Dir: opts.Out, OrgID: world.orgID, Accounts: world.accounts, Regions: Regions,
		Start: start, End: end.Add(24*time.Hour - time.Second), Planted: map[string]int{},
	}

	// The grid of files: every account, region and hourly slot.
	var specs []*fileSpec
	index := map[string]*fileSpec{}
	perFile := 30
	if opts.SizeMB > 0 {
		slots := opts.Accounts * len(Regions) * opts.Days * slotsPerDay
		perFile = int(int64(opts.SizeMB)<<20/avgRecordBytes/int64(slots)) + 1
	}
	for d := 0; d < opts.Days; d++ {
		for h := 0; h < slotsPerDay; h++ {
			slot := start.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
			for _, acct := range world.accounts {
				for ri, region := range Regions {
					n := perFile
					if ri > 0 { // the home region is busiest
						n = perFile / 2
					}
					n += rng.IntN(n/4 + 2)
					s := &fileSpec{account: acct, region: region, slot: slot, records: n, seed: rng.Uint64()}
					specs = append(specs, s)
					index[specKey(acct, region, slot)] = s
				}
			}
		}
	}

	// Planted attacks go into the file of their account, region and hour.
	for _, r := range selected {
		n := 1
		if r.Aggregate != nil {
			n = r.Aggregate.Threshold
		}
		acct := world.accounts[rng.IntN(len(world.accounts))]
		region := Regions[rng.IntN(len(Regions))]
		day := start.AddDate(0, 0, rng.IntN(opts.Days))
		// Copies of an aggregate rule's event share one aligned window that
		// lies inside one hour, so they land in one file and one window.
		hour := day.Add(time.Duration(rng.IntN(slotsPerDay)) * time.Hour)
		wstart, span := hour, time.Hour
		if r.Aggregate != nil && r.Aggregate.Window < time.Hour && r.Aggregate.Window > 0 {
			span = r.Aggregate.Window
			wstart = hour.Add(time.Duration(rng.IntN(int(time.Hour/span))) * span).Truncate(span)
			if wstart.Before(hour) {
				wstart = hour
			}
		}
		for i := 0; i < n; i++ {
			at := wstart.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
			raw, err := rewrite(r.Examples.Positive, world.uuid(rng), at, acct, region)
			if err != nil {
				return Result{}, fmt.Errorf("gen: rule %s: %w", r.ID, err)
			}
			s := index[specKey(acct, region, hour)]
			s.planted = append(s.planted, plant{at: at, raw: raw})
		}
		res.Planted[r.ID] = n
		res.PlantedRules = append(res.PlantedRules, r.ID)
	}
	sort.Strings(res.PlantedRules)

	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return Result{}, fmt.Errorf("gen: %w", err)
	}
	if err := writeAll(opts.Out, world, specs, &res); err != nil {
		return Result{}, err
	}
	// Top up until the size target is met: deterministic, since each pass
	// is a pure function of the seed and the pass number.
	for pass := 1; opts.SizeMB > 0 && res.Bytes < int64(opts.SizeMB)<<20; pass++ {
		missing := int64(opts.SizeMB)<<20 - res.Bytes
		var extra []*fileSpec
		per := perFile
		for i := 0; int64(i)*int64(per)*avgRecordBytes < missing+avgRecordBytes*int64(per); i++ {
			s := *specs[i%len(specs)]
			s.pass, s.planted, s.records, s.seed = pass, nil, per, s.seed^uint64(pass)*0x9e3779b97f4a7c15
			extra = append(extra, &s)
		}
		if err := writeAll(opts.Out, world, extra, &res); err != nil {
			return Result{}, err
		}
	}
	if err := writeDigests(opts.Out, world, start, opts.Days, &res); err != nil {
		return Result{}, err
	}
	return res, nil
}

// avgRecordBytes is the typical size of a generated background record, used
// to size files for SizeMB.
const avgRecordBytes = 1400

func specKey(acct, region string, slot time.Time) string {
	return acct + "/" + region + "/" + slot.Format(time.RFC3339)
}

// rewrite turns a rule's example into a planted record: a fresh eventID, the
// given time, account and region. The catalogue's example account
// 111122223333 is replaced everywhere (ARNs included) so that the record is
// consistent; other accounts (the "outside" ones) stay.
func rewrite(example, eventID string, at time.Time, account, region string) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(strings.ReplaceAll(example, exampleAccount, account)), &m); err != nil {
		return nil, fmt.Errorf("positive example: %w", err)
	}
	m["eventID"] = eventID
	m["eventTime"] = at.UTC().Format(time.RFC3339)
	m["recipientAccountId"] = account
	m["awsRegion"] = region
	if u, ok := m["userIdentity"].(map[string]any); ok {
		if _, has := u["accountId"]; has {
			u["accountId"] = account
		}
	}
	return json.Marshal(m)
}

// exampleAccount is the account the catalogue's examples use for "ours".
const exampleAccount = "111122223333"

// writeAll writes specs in parallel; each file depends only on its spec, so
// the output does not depend on scheduling.
func writeAll(dir string, w *world, specs []*fileSpec, res *Result) error {
	type out struct {
		records     int
		bytes, gzip int64
		err         error
	}
	results := make([]out, len(specs))
	var wg sync.WaitGroup
	next := make(chan int)
	for worker := 0; worker < runtime.GOMAXPROCS(0); worker++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, b, g, err := writeEventFile(dir, w, specs[i])
				results[i] = out{r, b, g, err}
			}
		}()
	}
	for i := range specs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			return r.err
		}
		res.EventFiles++
		res.Records += r.records
		res.Bytes += r.bytes
		res.GzipBytes += r.gzip
	}
	return nil
}

// EventKey is the object key of an event file, as an organization trail
// writes it.
func EventKey(org, account, region string, delivered time.Time, suffix string) string {
	return fmt.Sprintf("AWSLogs/%s/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz",
		org, account, region, delivered.Format("2006/01/02"), account, region, delivered.Format("20060102T1504Z"), suffix)
}

func writeEventFile(dir string, w *world, s *fileSpec) (records int, raw, gz int64, err error) {
	rng := rand.New(rand.NewPCG(s.seed, uint64(s.pass)))
	delivered := s.slot.Add(time.Hour - time.Duration(1+rng.IntN(10))*time.Minute)
	key := EventKey(w.orgID, s.account, s.region, delivered, randomSuffix(rng))
	path := filepath.Join(dir, filepath.FromSlash(key))

	type rec struct {
		at  time.Time
		raw []byte
	}
	recs := make([]rec, 0, s.records+len(s.planted))
	for i := 0; i < s.records; i++ {
		at := s.slot.Add(time.Duration(rng.Int64N(int64(time.Hour))))
		b, err := w.background(rng, s.account, s.region, at)
		if err != nil {
			return 0, 0, 0, err
		}
		recs = append(recs, rec{at, b})
	}
	for _, p := range s.planted {
		recs = append(recs, rec(p))
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].at.Before(recs[j].at) })

	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, 0, 0, fmt.Errorf("gen: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("gen: %w", err)
	}
	zw := gzip.NewWriter(f)
	cw := &countingWriter{w: zw}
	_, _ = cw.Write([]byte(`{"Records":[`))
	for i, r := range recs {
		if i > 0 {
			_, _ = cw.Write([]byte(","))
		}
		_, _ = cw.Write(r.raw)
	}
	_, _ = cw.Write([]byte("]}"))
	if err := errors.Join(cw.err, zw.Close()); err != nil {
		f.Close()
		return 0, 0, 0, fmt.Errorf("gen: write %s: %w", path, err)
	}
	st, _ := f.Stat()
	if err := f.Close(); err != nil {
		return 0, 0, 0, fmt.Errorf("gen: write %s: %w", path, err)
	}
	return len(recs), cw.n, st.Size(), nil
}

type countingWriter struct {
	w   interface{ Write([]byte) (int, error) }
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

func randomSuffix(rng *rand.Rand) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 16)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// writeDigests writes one digest file per account and day in the home
// region: they are not event files and every reader must skip them by key.
func writeDigests(dir string, w *world, start time.Time, days int, res *Result) error {
	for d := 0; d < days; d++ {
		day := start.AddDate(0, 0, d)
		for _, acct := range w.accounts {
			region := Regions[0]
			at := day.Add(23 * time.Hour)
			key := fmt.Sprintf("AWSLogs/%s/%s/CloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_org-trail_%s_%s.json.gz",
				w.orgID, acct, region, day.Format("2006/01/02"), acct, region, region, at.Format("20060102T150405Z"))
			body, _ := json.Marshal(map[string]any{
				"awsAccountId":                acct,
				"digestStartTime":             day.Add(22 * time.Hour).Format(time.RFC3339),
				"digestEndTime":               at.Format(time.RFC3339),
				"digestS3Bucket":              "org-trail-logs",
				"digestS3Object":              key,
				"digestPublicKeyFingerprint":  "0123456789abcdef0123456789abcdef",
				"digestSignatureAlgorithm":    "SHA256withRSA",
				"newestEventTime":             at.Add(-time.Minute).Format(time.RFC3339),
				"oldestEventTime":             day.Add(22 * time.Hour).Format(time.RFC3339),
				"previousDigestS3Bucket":      "org-trail-logs",
				"previousDigestHashValue":     "00",
				"previousDigestHashAlgorithm": "SHA-256",
				"logFiles":                    []any{},
			})
			path := filepath.Join(dir, filepath.FromSlash(key))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return fmt.Errorf("gen: %w", err)
			}
			f, err := os.Create(path)
			if err != nil {
				return fmt.Errorf("gen: %w", err)
			}
			zw := gzip.NewWriter(f)
			_, werr := zw.Write(body)
			if err := errors.Join(werr, zw.Close(), f.Close()); err != nil {
				return fmt.Errorf("gen: write %s: %w", path, err)
			}
			res.DigestFiles++
		}
	}
	return nil
}
