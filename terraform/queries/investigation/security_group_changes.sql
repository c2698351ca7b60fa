-- Investigation: security group changes in the last ${lookback_days} days (CIS 4.10), newest first.
SELECT
  eventtime          AS event_time,
  recipientaccountid AS account_id,
  awsregion          AS region,
  eventname          AS event_name,
  coalesce(useridentity.arn, useridentity.principalid) AS principal_arn,
  json_extract_scalar(requestparameters, '$.groupId') AS group_id,
  errorcode          AS error_code,
  requestparameters  AS request_parameters
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname IN (
    'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress',
    'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
    'CreateSecurityGroup', 'DeleteSecurityGroup', 'ModifySecurityGroupRules'
  )
ORDER BY eventtime DESC
LIMIT 1000
