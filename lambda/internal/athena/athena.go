// Package athena runs SQL in an Athena workgroup and returns typed rows. It
// waits with capped exponential backoff bounded by the caller's deadline (the
// Lambda context), stops the query when that deadline passes, and turns
// FAILED and CANCELLED states into errors that carry Athena's reason.
package athena

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// API is the part of the Athena client a Runner uses; *athena.Client
// satisfies it, and tests fake it.
type API interface {
	StartQueryExecution(ctx context.Context, in *sdk.StartQueryExecutionInput, optFns ...func(*sdk.Options)) (*sdk.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *sdk.GetQueryExecutionInput, optFns ...func(*sdk.Options)) (*sdk.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, in *sdk.GetQueryResultsInput, optFns ...func(*sdk.Options)) (*sdk.GetQueryResultsOutput, error)
	StopQueryExecution(ctx context.Context, in *sdk.StopQueryExecutionInput, optFns ...func(*sdk.Options)) (*sdk.StopQueryExecutionOutput, error)
}

// Sentinel errors; every error from Run wraps at most one of them, so a
// caller can tell a failed query from one the scan limit stopped.
var (
	// ErrQueryFailed: Athena reported FAILED (syntax, permissions, data).
	ErrQueryFailed = errors.New("athena query failed")
	// ErrQueryCancelled: the query was CANCELLED by someone else.
	ErrQueryCancelled = errors.New("athena query cancelled")
	// ErrScanLimit: the workgroup's bytes-scanned cutoff cancelled the query.
	ErrScanLimit = errors.New("athena query stopped by the workgroup's bytes-scanned limit")
	// ErrTimeout: the deadline passed before the query finished; the query
	// was asked to stop.
	ErrTimeout = errors.New("athena query timed out")
)

// QueryError describes a query that ended badly.
type QueryError struct {
	Name    string // the caller's name for the query, e.g. root_activity
	ID      string // QueryExecutionId
	State   string // FAILED, CANCELLED, or the last state seen before a timeout
	Reason  string // Athena's StateChangeReason or AthenaError message
	Timeout time.Duration
	kind    error
	cause   error
}

// Error names the query, its execution ID, the state and Athena's reason.
func (e *QueryError) Error() string {
	msg := fmt.Sprintf("%s: query %q (execution %s) %s", e.kind, e.Name, e.ID, strings.ToLower(e.State))
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Timeout > 0 {
		msg += fmt.Sprintf(" (deadline %s)", e.Timeout)
	}
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

// Unwrap exposes the sentinel kind and the underlying cause (e.g.
// context.DeadlineExceeded).
func (e *QueryError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

// Result is a finished query's output.
type Result struct {
	ExecutionID  string
	Columns      []string
	Rows         []map[string]string // one map per data row, keyed by column name; NULL is ""
	BytesScanned int64
}

// Runner runs queries in one workgroup and database.
type Runner struct {
	Client    API
	Workgroup string
	Database  string
	// Timeout bounds one query; the context's own deadline still applies when
	// it is sooner. Zero means only the context bounds it.
	Timeout time.Duration
	// MinPoll and MaxPoll bound the wait between status checks (defaults
	// 250ms and 5s); the wait doubles from MinPoll up to MaxPoll.
	MinPoll, MaxPoll time.Duration
	Logger           *slog.Logger
}

// stopGrace is how long StopQueryExecution may take after the caller's
// context is already done; a fresh context is needed or the call would fail
// immediately and leave the query scanning (and billing).
const stopGrace = 5 * time.Second

// Run starts sql, waits for it and returns its rows. name labels logs and
// errors.
func (r *Runner) Run(ctx context.Context, name, sql string) (*Result, error) {
	// Stop before the caller's (Lambda's) deadline with enough time left to
	// send StopQueryExecution and report, rather than being frozen mid-wait
	// with the query still scanning.
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline {
		deadline = deadline.Add(-(stopGrace + time.Second))
	}
	if r.Timeout > 0 && (!hasDeadline || time.Now().Add(r.Timeout).Before(deadline)) {
		deadline, hasDeadline = time.Now().Add(r.Timeout), true
	}
	if hasDeadline {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	in := &sdk.StartQueryExecutionInput{
		QueryString: aws.String(sql),
		WorkGroup:   aws.String(r.Workgroup),
	}
	if r.Database != "" {
		in.QueryExecutionContext = &types.QueryExecutionContext{Database: aws.String(r.Database)}
	}
	start, err := r.Client.StartQueryExecution(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("athena query %q: start in workgroup %s: %w", name, r.Workgroup, err)
	}
	id := aws.ToString(start.QueryExecutionId)
	log := r.logger().With("query", name, "query_execution_id", id)
	log.Debug("athena query started")

	exec, err := r.wait(ctx, name, id)
	if err != nil {
		return nil, err
	}
	res, err := r.results(ctx, name, id)
	if err != nil {
		return nil, err
	}
	if exec.Statistics != nil {
		res.BytesScanned = aws.ToInt64(exec.Statistics.DataScannedInBytes)
	}
	log.Info("athena query finished", "rows", len(res.Rows), "bytes_scanned", res.BytesScanned)
	return res, nil
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// wait polls until the query reaches a final state or ctx ends.
func (r *Runner) wait(ctx context.Context, name, id string) (*types.QueryExecution, error) {
	delay, maxDelay := r.MinPoll, r.MaxPoll
	if delay <= 0 {
		delay = 250 * time.Millisecond
	}
	if maxDelay <= 0 {
		maxDelay = 5 * time.Second
	}
	state := "QUEUED"
	for {
		out, err := r.Client.GetQueryExecution(ctx, &sdk.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			if ctx.Err() != nil {
				return nil, r.timeout(ctx, name, id, state)
			}
			return nil, fmt.Errorf("athena query %q: status of execution %s: %w", name, id, err)
		}
		exec := out.QueryExecution
		if exec == nil || exec.Status == nil {
			return nil, fmt.Errorf("athena query %q: execution %s has no status", name, id)
		}
		state = string(exec.Status.State)
		switch exec.Status.State {
		case types.QueryExecutionStateSucceeded:
			return exec, nil
		case types.QueryExecutionStateFailed:
			return nil, &QueryError{Name: name, ID: id, State: state, Reason: reason(exec.Status), kind: ErrQueryFailed}
		case types.QueryExecutionStateCancelled:
			why := reason(exec.Status)
			kind := ErrQueryCancelled
			if isScanLimit(why) {
				kind = ErrScanLimit
			}
			return nil, &QueryError{Name: name, ID: id, State: state, Reason: why, kind: kind}
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, r.timeout(ctx, name, id, state)
		case <-t.C:
		}
		if delay *= 2; delay > maxDelay {
			delay = maxDelay
		}
	}
}

// timeout stops the query (best effort) and describes the timeout.
func (r *Runner) timeout(ctx context.Context, name, id, state string) error {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopGrace)
	defer cancel()
	if _, err := r.Client.StopQueryExecution(stopCtx, &sdk.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		r.logger().Warn("athena stop query failed", "query", name, "query_execution_id", id, "error", err)
	}
	return &QueryError{Name: name, ID: id, State: state, Reason: "stopped: deadline reached before the query finished", Timeout: r.Timeout, kind: ErrTimeout, cause: ctx.Err()}
}

func reason(s *types.QueryExecutionStatus) string {
	why := aws.ToString(s.StateChangeReason)
	if s.AthenaError != nil && s.AthenaError.ErrorMessage != nil {
		msg := aws.ToString(s.AthenaError.ErrorMessage)
		if why == "" {
			return msg
		}
		if !strings.Contains(why, msg) {
			return why + " (" + msg + ")"
		}
	}
	return why
}

// isScanLimit recognises the reason Athena gives when a workgroup's
// BytesScannedCutoffPerQuery cancels a query ("... Bytes scanned limit was
// exceeded"); the wording is matched loosely because it is not an API.
func isScanLimit(reason string) bool {
	r := strings.ToLower(reason)
	return strings.Contains(r, "bytes scanned") && (strings.Contains(r, "limit") || strings.Contains(r, "cutoff")) ||
		strings.Contains(r, "bytesscannedcutoffperquery")
}

// results reads every page through the SDK paginator.
func (r *Runner) results(ctx context.Context, name, id string) (*Result, error) {
	res := &Result{ExecutionID: id}
	p := sdk.NewGetQueryResultsPaginator(r.Client, &sdk.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	first := true
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("athena query %q: results of execution %s: %w", name, id, err)
		}
		if page.ResultSet == nil {
			continue
		}
		rows := page.ResultSet.Rows
		if first {
			first = false
			if md := page.ResultSet.ResultSetMetadata; md != nil {
				for _, c := range md.ColumnInfo {
					res.Columns = append(res.Columns, aws.ToString(c.Name))
				}
			}
			// SELECT results repeat the column labels as the first row of the
			// first page; only that row, and only when it matches, is skipped,
			// so a data row that happens to come first is never lost.
			if len(rows) > 0 && isHeader(rows[0], res.Columns) {
				rows = rows[1:]
			}
		}
		for _, row := range rows {
			m := make(map[string]string, len(res.Columns))
			for i, d := range row.Data {
				col := fmt.Sprintf("_col%d", i)
				if i < len(res.Columns) {
					col = res.Columns[i]
				}
				m[col] = aws.ToString(d.VarCharValue)
			}
			res.Rows = append(res.Rows, m)
		}
	}
	return res, nil
}

func isHeader(row types.Row, cols []string) bool {
	if len(cols) == 0 || len(row.Data) != len(cols) {
		return false
	}
	for i, d := range row.Data {
		if aws.ToString(d.VarCharValue) != cols[i] {
			return false
		}
	}
	return true
}

// NamedQueryAPI fetches saved queries; *athena.Client satisfies it.
type NamedQueryAPI interface {
	BatchGetNamedQuery(ctx context.Context, in *sdk.BatchGetNamedQueryInput, optFns ...func(*sdk.Options)) (*sdk.BatchGetNamedQueryOutput, error)
}

// maxNamedQueryBatch is BatchGetNamedQuery's limit on IDs per call.
const maxNamedQueryBatch = 50

// NamedQueries resolves name → named-query ID into name → SQL. Every ID that
// Athena cannot return is named in the error, together with its name.
func NamedQueries(ctx context.Context, client NamedQueryAPI, ids map[string]string) (map[string]string, error) {
	byID := make(map[string][]string, len(ids))
	var all []string
	for name, id := range ids {
		if _, seen := byID[id]; !seen {
			all = append(all, id)
		}
		byID[id] = append(byID[id], name)
	}
	out := make(map[string]string, len(ids))
	var problems []string
	for start := 0; start < len(all); start += maxNamedQueryBatch {
		end := min(start+maxNamedQueryBatch, len(all))
		resp, err := client.BatchGetNamedQuery(ctx, &sdk.BatchGetNamedQueryInput{NamedQueryIds: all[start:end]})
		if err != nil {
			return nil, fmt.Errorf("athena BatchGetNamedQuery: %w", err)
		}
		for _, q := range resp.NamedQueries {
			for _, name := range byID[aws.ToString(q.NamedQueryId)] {
				out[name] = aws.ToString(q.QueryString)
			}
		}
		for _, u := range resp.UnprocessedNamedQueryIds {
			for _, name := range byID[aws.ToString(u.NamedQueryId)] {
				problems = append(problems, fmt.Sprintf("%s (%s): %s %s", name, aws.ToString(u.NamedQueryId), aws.ToString(u.ErrorCode), aws.ToString(u.ErrorMessage)))
			}
		}
	}
	for name := range ids {
		if _, ok := out[name]; !ok && !containsPrefix(problems, name+" (") {
			problems = append(problems, fmt.Sprintf("%s (%s): not returned", name, ids[name]))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return out, fmt.Errorf("athena named queries unavailable: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
