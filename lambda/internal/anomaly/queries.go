// Package anomaly compares the last hour of CloudTrail activity with a
// baseline of the days before it, per principal and per account: API call
// volume, AccessDenied bursts, first use of a region, console sign-ins from a
// never-seen source, and bulk S3 or Secrets Manager reads. Athena does the
// counting over the partition-projected table; the scoring is plain Go over
// typed rows, so it is tested without Athena.
package anomaly

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Period is the hour under test and the baseline before it.
type Period struct {
	Start, End    time.Time // the hour under test: [Start, End)
	BaselineStart time.Time // the baseline is [BaselineStart, Start)
}

// NewPeriod returns the last complete hour before at and a baseline of days
// days before that hour.
func NewPeriod(at time.Time, days int) Period {
	end := at.UTC().Truncate(time.Hour)
	start := end.Add(-time.Hour)
	return Period{Start: start, End: end, BaselineStart: start.AddDate(0, 0, -days)}
}

// BaselineHours is the number of hours in the baseline.
func (p Period) BaselineHours() int { return int(p.Start.Sub(p.BaselineStart) / time.Hour) }

// Label is the window part of the finding IDs: the hour under test.
func (p Period) Label() string { return p.Start.Format(time.RFC3339) + "/1h" }

// The queries, by the names used in logs and errors.
const (
	QueryPrincipalVolume = "principal_call_volume"
	QueryAccountVolume   = "account_call_volume"
	QueryAccessDenied    = "access_denied_bursts"
	QueryNewRegions      = "new_regions"
	QueryConsoleSources  = "console_signin_sources"
	QueryBulkReads       = "bulk_reads"
)

var identifier = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// ValidIdentifier reports whether a Glue database or table name can be
// placed in SQL as is (Glue names are lowercase letters, digits and
// underscores); config rejects anything else rather than quoting it.
func ValidIdentifier(s string) bool { return identifier.MatchString(s) }

// Thresholds are the detection settings (ANOMALY_* variables).
type Thresholds struct {
	BaselineDays    int     // ANOMALY_BASELINE_DAYS (7)
	ZScore          float64 // ANOMALY_ZSCORE (3.0)
	MinCalls        int     // ANOMALY_MIN_CALLS (100)
	AccessDeniedMin int     // ANOMALY_ACCESS_DENIED_MIN (20)
	BulkReadMin     int     // ANOMALY_BULK_READ_MIN (100)
}

// principalExpr is the caller, as PrincipalARN computes it for findings.
const principalExpr = `coalesce(useridentity.arn, useridentity.sessioncontext.sessionissuer.arn, useridentity.invokedby, 'unknown')`

// accountExpr is the account an event belongs to.
const accountExpr = `coalesce(recipientaccountid, useridentity.accountid, account)`

// deniedExpr matches the error codes of refused calls across services.
const deniedExpr = `(errorcode LIKE '%AccessDenied%' OR errorcode LIKE '%UnauthorizedOperation%' OR errorcode LIKE '%UnauthorizedAccess%')`

// Queries builds the SQL for one period. Every query restricts the scan to
// the date partitions the period touches (the table's "date" partition is a
// 'yyyy/MM/dd' string, so string comparison orders it), then narrows to the
// exact hours with the event time.
func Queries(database, table string, p Period, t Thresholds) map[string]string {
	from := `"` + database + `"."` + table + `"`
	dates := fmt.Sprintf(`"date" BETWEEN '%s' AND '%s'`, p.BaselineStart.Format("2006/01/02"), p.End.Add(-time.Second).Format("2006/01/02"))
	ts := func(t time.Time) string { return fmt.Sprintf("from_iso8601_timestamp('%s')", t.Format(time.RFC3339)) }
	inPeriod := fmt.Sprintf("from_iso8601_timestamp(eventtime) >= %s AND from_iso8601_timestamp(eventtime) < %s", ts(p.BaselineStart), ts(p.End))
	cur := fmt.Sprintf("from_iso8601_timestamp(eventtime) >= %s", ts(p.Start))
	curDates := fmt.Sprintf(`"date" BETWEEN '%s' AND '%s'`, p.Start.Format("2006/01/02"), p.End.Add(-time.Second).Format("2006/01/02"))
	curOnly := fmt.Sprintf("from_iso8601_timestamp(eventtime) >= %s AND from_iso8601_timestamp(eventtime) < %s", ts(p.Start), ts(p.End))

	// Hourly counts per key over baseline + current hour; the current hour's
	// count and the baseline's sum and sum of squares come back per key so
	// that Go computes mean and deviation, zero hours included.
	volume := func(keyCols, keyExprs string) string {
		return strings.TrimSpace(fmt.Sprintf(`
WITH hourly AS (
  SELECT %[1]s, date_trunc('hour', from_iso8601_timestamp(eventtime)) AS hour, count(*) AS n
  FROM %[2]s
  WHERE %[3]s AND %[4]s
  GROUP BY %[5]s
)
SELECT %[6]s,
  sum(CASE WHEN hour >= %[7]s THEN n ELSE 0 END) AS current_count,
  sum(CASE WHEN hour < %[7]s THEN n ELSE 0 END) AS baseline_sum,
  sum(CASE WHEN hour < %[7]s THEN n * n ELSE 0 END) AS baseline_sumsq
FROM hourly
GROUP BY %[6]s
HAVING sum(CASE WHEN hour >= %[7]s THEN n ELSE 0 END) >= %[8]d
ORDER BY current_count DESC`, keyExprs, from, dates, inPeriod, groupPositions(keyExprs), keyCols, ts(p.Start), t.MinCalls))
	}

	return map[string]string{
		QueryPrincipalVolume: volume("principal_arn, account_id", principalExpr+" AS principal_arn, "+accountExpr+" AS account_id"),
		QueryAccountVolume:   volume("account_id", accountExpr+" AS account_id"),
		QueryAccessDenied: strings.TrimSpace(fmt.Sprintf(`
SELECT %s AS principal_arn, %s AS account_id, count(*) AS denied_count,
  array_join(slice(array_agg(DISTINCT eventname), 1, 10), ',') AS event_names
FROM %s
WHERE %s AND %s AND %s
GROUP BY 1, 2
HAVING count(*) >= %d
ORDER BY denied_count DESC`, principalExpr, accountExpr, from, curDates, curOnly, deniedExpr, t.AccessDeniedMin)),
		QueryNewRegions: strings.TrimSpace(fmt.Sprintf(`
SELECT %s AS account_id, awsregion AS region,
  count_if(%s) AS current_count,
  count_if(NOT (%s)) AS baseline_count,
  array_join(slice(array_agg(DISTINCT CASE WHEN %s THEN %s END), 1, 5), ',') AS principals
FROM %s
WHERE %s AND %s AND awsregion IS NOT NULL
GROUP BY 1, 2
HAVING count_if(%s) > 0 AND count_if(NOT (%s)) = 0`, accountExpr, cur, cur, cur, principalExpr, from, dates, inPeriod, cur, cur)),
		QueryConsoleSources: strings.TrimSpace(fmt.Sprintf(`
WITH logins AS (
  SELECT %s AS principal_arn, %s AS account_id, sourceipaddress AS source_ip, %s AS is_current
  FROM %s
  WHERE %s AND %s AND eventname = 'ConsoleLogin' AND errorcode IS NULL
), per_source AS (
  SELECT principal_arn, account_id, source_ip,
    count_if(is_current) AS current_count,
    count_if(NOT is_current) AS baseline_count,
    sum(count_if(NOT is_current)) OVER (PARTITION BY principal_arn, account_id) AS principal_baseline_logins
  FROM logins
  GROUP BY 1, 2, 3
)
SELECT principal_arn, account_id, source_ip, current_count, baseline_count, principal_baseline_logins
FROM per_source
WHERE current_count > 0 AND baseline_count = 0`, principalExpr, accountExpr, cur, from, dates, inPeriod)),
		QueryBulkReads: strings.TrimSpace(fmt.Sprintf(`
SELECT %s AS principal_arn, %s AS account_id, eventsource AS event_source, eventname AS event_name, count(*) AS read_count,
  count(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.bucketName'), json_extract_scalar(requestparameters, '$.secretId'), '')) AS distinct_targets
FROM %s
WHERE %s AND %s
  AND ((eventsource = 's3.amazonaws.com' AND eventname = 'GetObject') OR (eventsource = 'secretsmanager.amazonaws.com' AND eventname IN ('GetSecretValue', 'BatchGetSecretValue')))
  AND errorcode IS NULL
GROUP BY 1, 2, 3, 4
HAVING count(*) >= %d
ORDER BY read_count DESC`, principalExpr, accountExpr, from, curDates, curOnly, t.BulkReadMin)),
	}
}

// groupPositions is "1, 2, 3" for two key expressions: the hourly CTE
// groups by its key columns and the hour, named by position.
func groupPositions(exprs string) string {
	n := strings.Count(exprs, " AS ") + 1
	pos := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		pos = append(pos, fmt.Sprint(i))
	}
	return strings.Join(pos, ", ")
}
