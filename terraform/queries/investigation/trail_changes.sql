-- Investigation: changes to any trail, its selectors or its logging state in the last ${lookback_days} days.
SELECT
  eventtime          AS event_time,
  recipientaccountid AS account_id,
  awsregion          AS region,
  eventname          AS event_name,
  coalesce(useridentity.arn, useridentity.principalid) AS principal_arn,
  sourceipaddress    AS source_ip,
  errorcode          AS error_code,
  requestparameters  AS request_parameters
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
  AND eventsource = 'cloudtrail.amazonaws.com'
  AND eventname IN (
    'CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging',
    'PutEventSelectors', 'PutInsightSelectors', 'AddTags', 'RemoveTags'
  )
ORDER BY eventtime DESC
LIMIT 1000
