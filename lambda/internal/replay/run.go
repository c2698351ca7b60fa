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
	// Workers read files in parallel; GOMAXPROCS when <= 0.
	Workers int
	// Session detects; one session across the whole replay lets aggregate
	// rules count across files.
	Session *detect.Session
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

// batchSize events travel together from a reader to the detector: it keeps
// channel operations off the per-event path.
const batchSize = 128

// batchesAhead bounds how far a reader may run ahead of detection, and so
// the memory of a replay: workers x batchesAhead x batchSize events.
const batchesAhead = 8

type outcome struct {
	records, malformed int
	bytes              int64
	firstMalformed     error
	err                error // nil at EOF
}

type job struct {
	src     Source
	batches chan []*cloudtrail.Event
	done    chan outcome
}

// Run replays sources, in the order given, through opts.Session. It fails
// only when the store fails or ctx ends; unreadable files are reported in
// the Result.
func Run(ctx context.Context, sources []Source, opts Options) (Result, error) {
	if opts.Session == nil {
		return Result{}, errors.New("replay: no detection session")
	}
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
				j.done <- read(ctx, j)
			}
		}()
	}
	go func() {
		defer close(ordered)
		defer close(work)
		for _, s := range sources {
			j := &job{src: s, batches: make(chan []*cloudtrail.Event, batchesAhead), done: make(chan outcome, 1)}
			select {
			case ordered <- j:
			case <-ctx.Done():
				return
			}
			select {
			case work <- j:
			case <-ctx.Done():
				return
			}
		}
	}()

	var res Result
	byID := map[string]finding.Finding{}
	p := Progress{FilesTotal: len(sources), BytesTotal: total}
	var runErr error
	for j := range ordered {
		for batch := range j.batches {
			if runErr != nil {
				continue // drain so the worker can finish
			}
			for _, ev := range batch {
				for _, f := range opts.Session.Process(ev) {
					if _, dup := byID[f.FindingID]; dup {
						continue
					}
					byID[f.FindingID] = f
					if opts.Store != nil {
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
				if runErr != nil {
					break
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

// read streams one file into j.batches and closes it.
func read(ctx context.Context, j *job) (o outcome) {
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
	batch := make([]*cloudtrail.Event, 0, batchSize)
	flush := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case j.batches <- batch:
			batch = make([]*cloudtrail.Event, 0, batchSize)
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		ev, err := rd.Next()
		switch {
		case err == nil:
			batch = append(batch, ev)
			if len(batch) == batchSize && !flush() {
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
