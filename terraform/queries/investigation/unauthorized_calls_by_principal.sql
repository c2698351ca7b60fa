-- Investigation: denied calls per principal in the last ${lookback_days} days, with what they tried.
SELECT
  coalesce(useridentity.arn, useridentity.principalid, 'unknown') AS principal_arn,
  recipientaccountid AS account_id,
  count(*)           AS error_count,
  count(DISTINCT eventname) AS distinct_actions,
  slice(array_agg(DISTINCT eventsource || ':' || eventname), 1, 20) AS sample_actions,
  min(eventtime)     AS first_seen,
  max(eventtime)     AS last_seen
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
  AND (errorcode LIKE '%UnauthorizedOperation' OR errorcode LIKE 'AccessDenied%')
GROUP BY 1, 2
ORDER BY error_count DESC
LIMIT 200
