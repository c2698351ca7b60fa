package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/replay"
)

// progressBar draws one self-overwriting line on a terminal.
type progressBar struct {
	w     io.Writer
	start time.Time
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, start: time.Now()}
}

// update redraws at most ten times a second, and always at the end.
func (b *progressBar) update(p replay.Progress) {
	if time.Since(b.last) < 100*time.Millisecond && p.FilesDone < p.FilesTotal {
		return
	}
	b.last = time.Now()
	frac := 0.0
	if p.BytesTotal > 0 {
		frac = float64(p.BytesDone) / float64(p.BytesTotal)
	} else if p.FilesTotal > 0 {
		frac = float64(p.FilesDone) / float64(p.FilesTotal)
	}
	const width = 30
	filled := int(frac * width)
	rate := float64(p.BytesDone) / time.Since(b.start).Seconds()
	fmt.Fprintf(b.w, "\r[%s%s] %3.0f%%  %d/%d files  %s/s ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		frac*100, p.FilesDone, p.FilesTotal, replay.HumanBytes(int64(rate)))
	b.drawn = true
}

// finish clears the line so the summary starts clean; nil-safe.
func (b *progressBar) finish() {
	if b == nil || !b.drawn {
		return
	}
	fmt.Fprint(b.w, "\r\033[K")
}
