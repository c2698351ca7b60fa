-- Investigation: activity per source IP address in the last ${lookback_days} days (AWS service callers excluded).
SELECT
  sourceipaddress    AS source_ip,
  count(*)           AS event_count,
  count(DISTINCT coalesce(useridentity.arn, useridentity.principalid)) AS principals,
  count(DISTINCT recipientaccountid) AS accounts,
  count_if(errorcode IS NOT NULL) AS error_count,
  min(eventtime)     AS first_seen,
  max(eventtime)     AS last_seen
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
  AND sourceipaddress IS NOT NULL
  AND sourceipaddress NOT LIKE '%.amazonaws.com'
  AND sourceipaddress <> 'AWS Internal'
GROUP BY 1
ORDER BY event_count DESC
LIMIT 200
