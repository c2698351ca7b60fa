-- Compliance: CloudTrail configuration changes in the last day (CIS 4.5). Fails on any row.
-- Columns: event_time, event_name, principal_arn, account_id, region
SELECT
  eventtime          AS event_time,
  eventname          AS event_name,
  coalesce(useridentity.arn, useridentity.principalid) AS principal_arn,
  recipientaccountid AS account_id,
  awsregion          AS region
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '1' DAY, '%Y/%m/%d')
  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '1' DAY
  AND eventsource = 'cloudtrail.amazonaws.com'
  AND errorcode IS NULL
  AND eventname IN (
    'CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging',
    'PutEventSelectors', 'PutInsightSelectors'
  )
ORDER BY eventtime DESC
