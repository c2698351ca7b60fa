-- Compliance: successful IAM-user console sign-ins without MFA in the last day (CIS 4.2).
-- Fails on any row. Columns: event_time, principal_arn, source_ip, account_id
SELECT
  eventtime          AS event_time,
  useridentity.arn   AS principal_arn,
  sourceipaddress    AS source_ip,
  recipientaccountid AS account_id
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '1' DAY, '%Y/%m/%d')
  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '1' DAY
  AND eventname = 'ConsoleLogin'
  AND useridentity.type = 'IAMUser'
  AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'
  AND coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'No') <> 'Yes'
ORDER BY eventtime DESC
