-- Compliance: successful IAM policy changes in the last day (CIS 4.4). Informational (count only).
-- Columns: event_time, event_name, principal_arn, account_id
SELECT
  eventtime          AS event_time,
  eventname          AS event_name,
  coalesce(useridentity.arn, useridentity.principalid) AS principal_arn,
  recipientaccountid AS account_id
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '1' DAY, '%Y/%m/%d')
  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '1' DAY
  AND eventsource = 'iam.amazonaws.com'
  AND errorcode IS NULL
  AND eventname IN (
    'DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy',
    'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy',
    'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion',
    'AttachRolePolicy', 'DetachRolePolicy', 'AttachUserPolicy', 'DetachUserPolicy',
    'AttachGroupPolicy', 'DetachGroupPolicy'
  )
ORDER BY eventtime DESC
