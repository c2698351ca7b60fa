-- Investigation: everything the root user did in the last ${lookback_days} days.
SELECT
  eventtime          AS event_time,
  recipientaccountid AS account_id,
  awsregion          AS region,
  eventsource        AS event_source,
  eventname          AS event_name,
  sourceipaddress    AS source_ip,
  useragent          AS user_agent,
  errorcode          AS error_code
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
  AND useridentity.type = 'Root'
  AND useridentity.invokedby IS NULL
  AND eventtype <> 'AwsServiceEvent'
ORDER BY eventtime DESC
LIMIT 1000
