-- Investigation: every IAM write (users, roles, policies, keys, login profiles) in the last ${lookback_days} days.
SELECT
  eventtime          AS event_time,
  recipientaccountid AS account_id,
  eventname          AS event_name,
  coalesce(useridentity.arn, useridentity.principalid) AS principal_arn,
  sourceipaddress    AS source_ip,
  errorcode          AS error_code,
  requestparameters  AS request_parameters
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
  AND eventsource = 'iam.amazonaws.com'
  AND readonly = 'false'
ORDER BY eventtime DESC
LIMIT 1000
