package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

func TestMemoryPutDeduplicatesByID(t *testing.T) {
	m := store.NewMemory()
	ctx := context.Background()
	f := sample(1, "111111111111", finding.High)
	created, err := m.Put(ctx, f)
	require.NoError(t, err)
	assert.True(t, created)
	f.Summary = "changed"
	created, err = m.Put(ctx, f)
	require.NoError(t, err)
	assert.False(t, created, "a duplicate is success, not a second finding")
	got, _ := m.Get(f.FindingID)
	assert.Equal(t, "root signed in", got.Summary, "the first write wins")
}

func TestMemoryRejectsFindingWithoutID(t *testing.T) {
	_, err := store.NewMemory().Put(context.Background(), finding.Finding{RuleID: "R"})
	assert.ErrorContains(t, err, "empty finding_id")
}

func TestMemoryConcurrentPutsCreateEachIDOnce(t *testing.T) {
	m := store.NewMemory()
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				ok, err := m.Put(context.Background(), sample(i, "111111111111", finding.Low))
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					created++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 100, created)
	assert.Equal(t, 100, m.Len())
}

func TestMemoryFilePersistsAcrossRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.ndjson")
	ctx := context.Background()

	m, err := store.OpenFile(path)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		created, err := m.Put(ctx, sample(i, "111111111111", finding.Medium))
		require.NoError(t, err)
		assert.True(t, created)
	}
	require.NoError(t, m.Close())

	again, err := store.OpenFile(path)
	require.NoError(t, err)
	defer again.Close()
	assert.Equal(t, 3, again.Len())
	created, err := again.Put(ctx, sample(1, "111111111111", finding.Medium))
	require.NoError(t, err)
	assert.False(t, created, "findings from the previous run are duplicates")
	created, err = again.Put(ctx, sample(7, "111111111111", finding.Medium))
	require.NoError(t, err)
	assert.True(t, created)
	require.NoError(t, again.Flush())

	got, _ := again.Get(sample(0, "111111111111", finding.Medium).FindingID)
	assert.Equal(t, sample(0, "111111111111", finding.Medium), got, "evidence survives the file")
}

func TestMemoryFileWithBadLineFailsNamingTheLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.ndjson")
	require.NoError(t, os.WriteFile(path, []byte(`{"finding_id":"a"}`+"\n\nnot json\n"), 0o644))
	_, err := store.OpenFile(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+" line 3")
}

func TestMemoryQueriesFilterAndOrderNewestFirst(t *testing.T) {
	m := store.NewMemory()
	ctx := context.Background()
	for i, acct := range []string{"111111111111", "222222222222", "111111111111", "111111111111"} {
		sev := finding.High
		if i == 3 {
			sev = finding.Critical
		}
		_, err := m.Put(ctx, sample(i*10, acct, sev))
		require.NoError(t, err)
	}
	got, err := m.QueryByAccount(ctx, "111111111111", base.Add(5*time.Minute))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "evt-0030", got[0].EventID)
	assert.Equal(t, "evt-0020", got[1].EventID)

	high, err := m.QueryBySeverity(ctx, finding.High, base)
	require.NoError(t, err)
	assert.Len(t, high, 3)

	counts, err := m.CountBySeverity(ctx, base.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, map[finding.Severity]int{finding.Critical: 1, finding.High: 2, finding.Medium: 0, finding.Low: 0, finding.Info: 0}, counts)

	require.NoError(t, m.MarkAlerted(ctx, got[0].FindingID, base))
	at, ok := m.AlertedAt(got[0].FindingID)
	assert.True(t, ok)
	assert.Equal(t, base, at)
	assert.Error(t, m.MarkAlerted(ctx, "missing", base))
}

func TestSortOrdersByEventTimeRuleAndID(t *testing.T) {
	a := sample(2, "1", finding.Low)
	b := sample(1, "1", finding.Low)
	c := sample(1, "1", finding.Low)
	c.RuleID = "A-RULE"
	fs := []finding.Finding{a, b, c}
	store.Sort(fs)
	assert.Equal(t, []string{"A-RULE", "CIS-4.3", "CIS-4.3"}, []string{fs[0].RuleID, fs[1].RuleID, fs[2].RuleID})
	assert.Equal(t, a.EventID, fs[2].EventID)
}
