-- Investigation: KMS keys disabled, scheduled for deletion or stripped of key material in the last ${lookback_days} days (CIS 4.7).
SELECT
  eventtime          AS event_time,
  recipientaccountid AS account_id,
  awsregion          AS region,
  eventname          AS event_name,
  coalesce(useridentity.arn, useridentity.principalid) AS principal_arn,
  json_extract_scalar(requestparameters, '$.keyId') AS key_id,
  json_extract_scalar(requestparameters, '$.pendingWindowInDays') AS pending_window_days,
  errorcode          AS error_code
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
  AND eventsource = 'kms.amazonaws.com'
  AND eventname IN ('ScheduleKeyDeletion', 'DisableKey', 'DeleteImportedKeyMaterial', 'DeleteAlias', 'DisableKeyRotation')
ORDER BY eventtime DESC
LIMIT 1000
