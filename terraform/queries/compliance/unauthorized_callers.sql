-- Compliance: principals whose calls were denied in the last day (CIS 4.1).
-- The reporter fails a principal with error_count >= 10.
-- Columns: principal_arn, account_id, error_count
SELECT
  coalesce(useridentity.arn, useridentity.principalid, 'unknown') AS principal_arn,
  recipientaccountid AS account_id,
  count(*)           AS error_count
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '1' DAY, '%Y/%m/%d')
  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '1' DAY
  AND (errorcode LIKE '%UnauthorizedOperation' OR errorcode LIKE 'AccessDenied%')
GROUP BY 1, 2
ORDER BY error_count DESC
