-- Compliance: any use of the root user in the last day (CIS 4.3). Fails on any row.
-- Columns: event_time, event_name, source_ip, account_id, region
SELECT
  eventtime        AS event_time,
  eventname        AS event_name,
  sourceipaddress  AS source_ip,
  recipientaccountid AS account_id,
  awsregion        AS region
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '1' DAY, '%Y/%m/%d')
  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '1' DAY
  AND useridentity.type = 'Root'
  AND useridentity.invokedby IS NULL
  AND eventtype <> 'AwsServiceEvent'
ORDER BY eventtime DESC
