-- Compliance: regions with activity in the last day, per account.
-- The reporter fails a region outside ALLOWED_REGIONS.
-- Columns: region, account_id, event_count
SELECT
  awsregion          AS region,
  recipientaccountid AS account_id,
  count(*)           AS event_count
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '1' DAY, '%Y/%m/%d')
  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '1' DAY
GROUP BY 1, 2
ORDER BY region, account_id
