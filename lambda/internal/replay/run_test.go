package replay_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/replay"
)

func memSource(name, body string) replay.Source {
	return replay.Source{Name: name, Size: int64(len(body)), Open: func(context.Context) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(body)), nil
	}}
}

func positive(t *testing.T, id string) string {
	for _, r := range detect.Catalogue() {
		if r.ID == id {
			return r.Examples.Positive
		}
	}
	t.Fatalf("no rule %s", id)
	return ""
}

type failingStore struct{}

func (failingStore) Put(context.Context, finding.Finding) (bool, error) {
	return false, errors.New("disk full")
}

func TestRunStopsWithTheStoreError(t *testing.T) {
	src := memSource("a.json", `{"Records":[`+positive(t, "cis-4.3-root-usage")+`]}`)
	_, err := replay.Run(context.Background(), []replay.Source{src, src, src},
		replay.Options{Store: failingStore{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk full")
	assert.Contains(t, err.Error(), "a.json")
}

func TestRunClassifiesFileProblems(t *testing.T) {
	good := positive(t, "cis-4.3-root-usage")
	sources := []replay.Source{
		memSource("good.json", `{"Records":[`+good+`]}`),
		memSource("malformed.json", `{"Records":[`+good+`,42]}`),
		memSource("truncated.json", `{"Records":[`+good+`,{"eventName":"x"`),
		memSource("garbage.json", `this is not json`),
		{Name: "gone.json", Open: func(context.Context) (io.ReadCloser, error) { return nil, errors.New("no such file") }},
	}
	res, err := replay.Run(context.Background(), sources, replay.Options{})
	require.NoError(t, err)
	names := func(ps []replay.FileProblem) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	assert.Equal(t, 3, res.Files)
	assert.Equal(t, 3, res.Records)
	assert.Equal(t, 1, res.MalformedRecords)
	assert.Equal(t, []string{"malformed.json"}, names(res.MalformedFiles))
	assert.Equal(t, []string{"truncated.json"}, names(res.Truncated))
	assert.Equal(t, []string{"garbage.json", "gone.json"}, names(res.Unreadable))
	assert.Len(t, res.Findings, 1, "the same root event in three files is one finding")
}

func TestRunHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := memSource("a.json", `{"Records":[`+positive(t, "cis-4.3-root-usage")+`]}`)
	_, err := replay.Run(ctx, []replay.Source{src, src}, replay.Options{})
	assert.ErrorIs(t, err, context.Canceled)
}
