-- Investigation: the 50 busiest principals in the last ${lookback_days} days.
SELECT
  coalesce(useridentity.arn, useridentity.principalid, useridentity.invokedby, 'unknown') AS principal_arn,
  recipientaccountid AS account_id,
  count(*)           AS event_count,
  count(DISTINCT eventname) AS distinct_actions,
  count_if(errorcode IS NOT NULL) AS error_count,
  count(DISTINCT awsregion) AS regions
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
GROUP BY 1, 2
ORDER BY event_count DESC
LIMIT 50
