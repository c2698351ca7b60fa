package athena

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeAthena plays back a sequence of states and pages of results.
type fakeAthena struct {
	mu       sync.Mutex
	states   []types.QueryExecutionStatus // returned in order; the last repeats
	polls    int
	pages    []*types.ResultSet
	tokens   []string // tokens seen by GetQueryResults, in order
	started  *sdk.StartQueryExecutionInput
	stopped  []string
	startErr error
}

func (f *fakeAthena) StartQueryExecution(_ context.Context, in *sdk.StartQueryExecutionInput, _ ...func(*sdk.Options)) (*sdk.StartQueryExecutionOutput, error) {
	f.started = in
	if f.startErr != nil {
		return nil, f.startErr
	}
	return &sdk.StartQueryExecutionOutput{QueryExecutionId: aws.String("qe-1")}, nil
}

func (f *fakeAthena) GetQueryExecution(ctx context.Context, in *sdk.GetQueryExecutionInput, _ ...func(*sdk.Options)) (*sdk.GetQueryExecutionOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.states[min(f.polls, len(f.states)-1)]
	f.polls++
	return &sdk.GetQueryExecutionOutput{QueryExecution: &types.QueryExecution{
		QueryExecutionId: in.QueryExecutionId,
		Status:           &st,
		Statistics:       &types.QueryExecutionStatistics{DataScannedInBytes: aws.Int64(4096)},
	}}, nil
}

func (f *fakeAthena) GetQueryResults(_ context.Context, in *sdk.GetQueryResultsInput, _ ...func(*sdk.Options)) (*sdk.GetQueryResultsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := aws.ToString(in.NextToken)
	f.tokens = append(f.tokens, tok)
	i := 0
	if tok != "" {
		fmt.Sscanf(tok, "page-%d", &i)
	}
	out := &sdk.GetQueryResultsOutput{ResultSet: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(fmt.Sprintf("page-%d", i+1))
	}
	return out, nil
}

func (f *fakeAthena) StopQueryExecution(ctx context.Context, in *sdk.StopQueryExecutionInput, _ ...func(*sdk.Options)) (*sdk.StopQueryExecutionOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // a stop on a dead context would never reach Athena
	}
	f.stopped = append(f.stopped, aws.ToString(in.QueryExecutionId))
	return &sdk.StopQueryExecutionOutput{}, nil
}

func row(vals ...string) types.Row {
	r := types.Row{}
	for _, v := range vals {
		r.Data = append(r.Data, types.Datum{VarCharValue: aws.String(v)})
	}
	return r
}

func meta(cols ...string) *types.ResultSetMetadata {
	m := &types.ResultSetMetadata{}
	for _, c := range cols {
		m.ColumnInfo = append(m.ColumnInfo, types.ColumnInfo{Name: aws.String(c), Type: aws.String("varchar")})
	}
	return m
}

func status(s types.QueryExecutionState, reason string) types.QueryExecutionStatus {
	st := types.QueryExecutionStatus{State: s}
	if reason != "" {
		st.StateChangeReason = aws.String(reason)
	}
	return st
}

func fastRunner(f *fakeAthena) *Runner {
	return &Runner{Client: f, Workgroup: "wg", Database: "db", MinPoll: time.Millisecond, MaxPoll: 2 * time.Millisecond}
}

func TestRunReturnsEveryPageAndSkipsOnlyTheHeaderRow(t *testing.T) {
	f := &fakeAthena{
		states: []types.QueryExecutionStatus{status(types.QueryExecutionStateQueued, ""), status(types.QueryExecutionStateRunning, ""), status(types.QueryExecutionStateSucceeded, "")},
		pages: []*types.ResultSet{
			{ResultSetMetadata: meta("region", "event_count"), Rows: []types.Row{row("region", "event_count"), row("us-east-1", "10")}},
			// A later page whose first row looks like the header is data.
			{ResultSetMetadata: meta("region", "event_count"), Rows: []types.Row{row("region", "event_count"), {Data: []types.Datum{{VarCharValue: aws.String("eu-west-1")}, {}}}}},
		},
	}
	res, err := fastRunner(f).Run(context.Background(), "regions_in_use", "SELECT 1")
	require.NoError(t, err)
	assert.Equal(t, []string{"region", "event_count"}, res.Columns)
	assert.Equal(t, []map[string]string{
		{"region": "us-east-1", "event_count": "10"},
		{"region": "region", "event_count": "event_count"},
		{"region": "eu-west-1", "event_count": ""},
	}, res.Rows)
	assert.Equal(t, int64(4096), res.BytesScanned)
	assert.Equal(t, []string{"", "page-1"}, f.tokens, "the SDK paginator follows NextToken")
	assert.Equal(t, "wg", aws.ToString(f.started.WorkGroup))
	assert.Equal(t, "db", aws.ToString(f.started.QueryExecutionContext.Database))
	assert.Equal(t, 3, f.polls)
}

func TestRunKeepsAFirstDataRowThatIsNotTheHeader(t *testing.T) {
	// DDL and some engines return no label row: nothing may be dropped then.
	f := &fakeAthena{
		states: []types.QueryExecutionStatus{status(types.QueryExecutionStateSucceeded, "")},
		pages:  []*types.ResultSet{{ResultSetMetadata: meta("n"), Rows: []types.Row{row("7")}}},
	}
	res, err := fastRunner(f).Run(context.Background(), "q", "SELECT 7")
	require.NoError(t, err)
	assert.Equal(t, []map[string]string{{"n": "7"}}, res.Rows)
}

func TestRunTurnsFinalStatesIntoErrorsWithAthenasReason(t *testing.T) {
	cases := []struct {
		name       string
		status     types.QueryExecutionStatus
		want       error
		notWant    error
		wantReason string
	}{
		{"failed query carries the reason", status(types.QueryExecutionStateFailed, "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"), ErrQueryFailed, ErrScanLimit, "Column 'x' cannot be resolved"},
		{"cancelled by someone is not a scan limit", status(types.QueryExecutionStateCancelled, "Query cancelled by user"), ErrQueryCancelled, ErrScanLimit, "cancelled by user"},
		{"workgroup cutoff is a scan-limit error", status(types.QueryExecutionStateCancelled, "Query cancelled! : Bytes scanned limit was exceeded"), ErrScanLimit, ErrQueryCancelled, "Bytes scanned limit"},
		{"failed with only an AthenaError message", types.QueryExecutionStatus{State: types.QueryExecutionStateFailed, AthenaError: &types.AthenaError{ErrorMessage: aws.String("Access denied to s3://results")}}, ErrQueryFailed, ErrTimeout, "Access denied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeAthena{states: []types.QueryExecutionStatus{tc.status}}
			_, err := fastRunner(f).Run(context.Background(), "root_activity", "SELECT 1")
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.NotErrorIs(t, err, tc.notWant)
			assert.Contains(t, err.Error(), tc.wantReason)
			assert.Contains(t, err.Error(), "root_activity")
			assert.Contains(t, err.Error(), "qe-1")
		})
	}
}

func TestRunStopsTheQueryWhenTheDeadlinePasses(t *testing.T) {
	f := &fakeAthena{states: []types.QueryExecutionStatus{status(types.QueryExecutionStateRunning, "")}}
	r := fastRunner(f)
	r.Timeout = 20 * time.Millisecond
	_, err := r.Run(context.Background(), "slow", "SELECT 1")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, []string{"qe-1"}, f.stopped, "StopQueryExecution must be called with a live context")
}

func TestRunStopsTheQueryWhenTheCallerCancels(t *testing.T) {
	f := &fakeAthena{states: []types.QueryExecutionStatus{status(types.QueryExecutionStateRunning, "")}}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	_, err := fastRunner(f).Run(ctx, "slow", "SELECT 1")
	assert.ErrorIs(t, err, ErrTimeout)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{"qe-1"}, f.stopped)
}

func TestRunReportsAStartFailureWithTheWorkgroup(t *testing.T) {
	f := &fakeAthena{startErr: errors.New("InvalidRequestException: workgroup is disabled")}
	_, err := fastRunner(f).Run(context.Background(), "q", "SELECT 1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "workgroup wg")
	assert.Contains(t, err.Error(), "disabled")
}

type fakeNamed struct{ known map[string]string }

func (f fakeNamed) BatchGetNamedQuery(_ context.Context, in *sdk.BatchGetNamedQueryInput, _ ...func(*sdk.Options)) (*sdk.BatchGetNamedQueryOutput, error) {
	out := &sdk.BatchGetNamedQueryOutput{}
	for _, id := range in.NamedQueryIds {
		if sql, ok := f.known[id]; ok {
			out.NamedQueries = append(out.NamedQueries, types.NamedQuery{NamedQueryId: aws.String(id), QueryString: aws.String(sql)})
		} else {
			out.UnprocessedNamedQueryIds = append(out.UnprocessedNamedQueryIds, types.UnprocessedNamedQueryId{NamedQueryId: aws.String(id), ErrorCode: aws.String("InvalidRequestException"), ErrorMessage: aws.String("not found")})
		}
	}
	return out, nil
}

func TestNamedQueriesResolvesNamesAndNamesEveryMissingOne(t *testing.T) {
	got, err := NamedQueries(context.Background(), fakeNamed{known: map[string]string{"id-1": "SELECT 1"}},
		map[string]string{"root_activity": "id-1", "trail_changes": "id-2", "regions_in_use": "id-3"})
	require.Error(t, err)
	assert.Equal(t, map[string]string{"root_activity": "SELECT 1"}, got)
	assert.Contains(t, err.Error(), "trail_changes (id-2)")
	assert.Contains(t, err.Error(), "regions_in_use (id-3)")

	got, err = NamedQueries(context.Background(), fakeNamed{known: map[string]string{"id-1": "SELECT 1"}}, map[string]string{"a": "id-1"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "SELECT 1"}, got)
}

func TestRunLeavesTimeToStopBeforeTheCallersDeadline(t *testing.T) {
	f := &fakeAthena{states: []types.QueryExecutionStatus{status(types.QueryExecutionStateRunning, "")}}
	r := fastRunner(f)
	r.Timeout = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), stopGrace+time.Second+50*time.Millisecond)
	defer cancel()
	_, err := r.Run(ctx, "slow", "SELECT 1")
	assert.ErrorIs(t, err, ErrTimeout)
	assert.NoError(t, ctx.Err(), "the runner gave up before the caller's deadline")
	assert.Equal(t, []string{"qe-1"}, f.stopped)
}
