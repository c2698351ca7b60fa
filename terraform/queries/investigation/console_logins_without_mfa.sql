-- Investigation: console sign-ins without MFA (successful and failed) in the last ${lookback_days} days.
SELECT
  eventtime          AS event_time,
  recipientaccountid AS account_id,
  useridentity.type  AS identity_type,
  coalesce(useridentity.arn, useridentity.principalid) AS principal_arn,
  sourceipaddress    AS source_ip,
  useragent          AS user_agent,
  json_extract_scalar(responseelements, '$.ConsoleLogin') AS result,
  errormessage       AS error_message
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
  AND eventname = 'ConsoleLogin'
  AND coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'No') <> 'Yes'
ORDER BY eventtime DESC
LIMIT 1000
