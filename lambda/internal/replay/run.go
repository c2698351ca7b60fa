package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

// Options configure Run.
type Options struct {
	// Workers read files and run the single-event rules in parallel;
	// GOMAXPROCS when <= 0.
	Workers int
	// Rules to run; nil means detect.Catalogue().
	Rules []detect.Rule
	// Engine options: Now stamps detected_at (pin it for reproducible
	// output), Retention sets expires_at.
	Engine detect.Options
	// Store, when set, receives every finding (duplicates are fine).
	Store store.Writer
	// Progress, when set, is called after each file, in order.
	Progress func(Progress)
}

// Progress is how far a replay is.
type Progress struct {
	FilesDone, FilesTotal int
	BytesDone, BytesTotal int64 // stored (compressed) bytes
}

// FileProblem is a file that could not be read completely.
type FileProblem struct {
	Name    string
	Records int // records read before the problem
	Err     error
}

// Result is what a replay read and found.
type Result struct {
	Files            int           // files read at least in part
	Unreadable       []FileProblem // files of which nothing could be read
	Truncated        []FileProblem // files that became unreadable part-way; their records before that count
	MalformedFiles   []FileProblem // files with malformed records (skipped); Err is the first one
	Records          int           // events run through the rules
	MalformedRecords int
	Bytes            int64 // uncompressed bytes read
	// Findings are unique by ID, in the order of store.Sort.
	Findings []finding.Finding
	// NewInStore counts findings the store had not seen before.
	NewInStore int
}

// batchSize findings and countable events travel together from a reader to
// the ordered detector: it keeps channel operations off the per-event path.
const batchSize = 128

// batchesAhead bounds how far a reader may run ahead of the ordered
// detector, and so the memory of a replay: at most (workers+1) x
// batchesAhead x batchSize findings or events are in flight.
const batchesAhead = 8

type outcome struct {
	records, malformed int
	bytes              int64
	firstMalformed     error
	err                error // nil at EOF
}

// batch is what a reader hands to detection: the single-event findings
// of some records, and those records that an aggregate rule may count.
type batch struct {
	findings []finding.Finding
	events   []*cloudtrail.Event
}

type job struct {
	src     Source
	batches chan batch
	done    chan outcome
}

// detectors splits the rules. Single-event rules are independent of order
// and run in the readers, in parallel; aggregate rules count per window, so
// their candidate events go to one session in file order and the replay is
// the same on every run, whatever the parallelism.
type detectors struct {
	singles    *detect.Session
	aggregates []detect.Rule
	counter    *detect.Session
}

func newDetectors(rules []detect.Rule, opts detect.Options) *detectors {
	var singles, aggregates []detect.Rule
	for _, r := range rules {
		if r.Aggregate != nil {
			aggregates = append(aggregates, r)
		} else {
			singles = append(singles, r)
		}
	}
	return &detectors{
		singles:    detect.NewEngine(singles, opts).NewSession(),
		aggregates: aggregates,
		counter:    detect.NewEngine(aggregates, opts).NewSession(),
	}
}

// countable reports whether some aggregate rule counts ev.
func (d *detectors) countable(ev *cloudtrail.Event) bool {
	for i := range d.aggregates {
		if d.aggregates[i].Matches(ev) {
			return true
		}
	}
	return false
}

// Run replays sources, in the order given, through one detection session,
// so that aggregate rules count across files. It fails only when the store
// fails or ctx ends; unreadable files are reported in the Result.
func Run(ctx context.Context, sources []Source, opts Options) (Result, error) {
	rules := opts.Rules
	if rules == nil {
		rules = detect.Catalogue()
	}
	det := newDetectors(rules, opts.Engine)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var total int64
	for _, s := range sources {
		total += s.Size
	}

	// Jobs are handed to workers and to the detector in the same order, and
	// at most workers+1 are in flight, so the oldest unfinished job always
	// has a worker and detection never waits on a job nobody reads.
	work := make(chan *job)
	ordered := make(chan *job, workers+1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				j.done <- read(ctx, j, det)
			}
		}()
	}
	go func() {
		defer close(ordered)
		defer close(work)
		for _, s := range sources {
			j := &job{src: s, batches: make(chan batch, batchesAhead), done: make(chan outcome, 1)}
			select {
			case ordered <- j:
			case <-ctx.Done():
				return
			}
			select {
			case work <- j:
			case <-ctx.Done():
				// j is already queued for detection: finish it here, or
				// detection would wait for a worker that never reads it.
				close(j.batches)
				j.done <- outcome{err: ctx.Err()}
				return
			}
		}
	}()

	var res Result
	byID := map[string]finding.Finding{}
	p := Progress{FilesTotal: len(sources), BytesTotal: total}
	var runErr error
	for j := range ordered {
		for b := range j.batches {
			if runErr != nil {
				continue // drain so the worker can finish
			}
			found := b.findings
			for _, ev := range b.events {
				found = append(found, det.counter.Process(ev)...)
			}
			for _, f := range found {
				if _, dup := byID[f.FindingID]; dup {
					continue
				}
				byID[f.FindingID] = f
				if opts.Store == nil {
					continue
				}
				created, err := opts.Store.Put(ctx, f)
				if err != nil {
					runErr = fmt.Errorf("store finding from %s: %w", j.src.Name, err)
					cancel()
					break
				}
				if created {
					res.NewInStore++
				}
			}
		}
		o := <-j.done
		res.account(j.src.Name, o)
		p.FilesDone++
		p.BytesDone += j.src.Size
		if opts.Progress != nil {
			opts.Progress(p)
		}
	}
	wg.Wait()
	if runErr == nil {
		runErr = ctx.Err()
	}
	res.Findings = make([]finding.Finding, 0, len(byID))
	for _, f := range byID {
		res.Findings = append(res.Findings, f)
	}
	store.Sort(res.Findings)
	return res, runErr
}

func (r *Result) account(name string, o outcome) {
	r.Records += o.records
	r.MalformedRecords += o.malformed
	r.Bytes += o.bytes
	if o.malformed > 0 {
		r.MalformedFiles = append(r.MalformedFiles, FileProblem{Name: name, Records: o.records, Err: o.firstMalformed})
	}
	switch {
	case o.err == nil:
		r.Files++
	case o.records == 0 && o.malformed == 0:
		r.Unreadable = append(r.Unreadable, FileProblem{Name: name, Err: o.err})
	default:
		r.Files++
		r.Truncated = append(r.Truncated, FileProblem{Name: name, Records: o.records, Err: o.err})
	}
}

// read streams one file, runs the single-event rules on each record, and
// hands findings and countable records to j.batches, which it closes.
func read(ctx context.Context, j *job, det *detectors) (o outcome) {
	defer close(j.batches)
	rc, err := j.src.Open(ctx)
	if err != nil {
		o.err = err
		return o
	}
	defer rc.Close()
	rd, err := cloudtrail.NewReader(rc, j.src.Name)
	if err != nil {
		o.err = err
		return o
	}
	defer func() {
		st := rd.Stats()
		o.records, o.malformed, o.bytes = st.Records, st.Malformed, st.Bytes
	}()
	var b batch
	flush := func() bool {
		if len(b.findings) == 0 && len(b.events) == 0 {
			return true
		}
		select {
		case j.batches <- b:
			b = batch{}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for n := 0; ; n++ {
		ev, err := rd.Next()
		switch {
		case err == nil:
			b.findings = append(b.findings, det.singles.Process(ev)...)
			if det.countable(ev) {
				b.events = append(b.events, ev)
			}
			if len(b.findings)+len(b.events) >= batchSize && !flush() {
				o.err = ctx.Err()
				return o
			}
			if n%1024 == 0 && ctx.Err() != nil {
				o.err = ctx.Err()
				return o
			}
			continue
		case errors.Is(err, io.EOF):
		case errors.Is(err, cloudtrail.ErrMalformedRecord):
			if o.firstMalformed == nil {
				o.firstMalformed = err
			}
			continue
		default:
			o.err = err
		}
		if !flush() && o.err == nil {
			o.err = ctx.Err()
		}
		return o
	}
}
