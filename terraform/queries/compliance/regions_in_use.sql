-- Compliance: regions with activity in the last day, per account.
-- The reporter fails a region outside ALLOWED_REGIONS.
-- Columns: region, account_id, event_count
-- Not counted: events of global services, which CloudTrail records in
-- us-east-1 wherever the caller works, and events AWS itself emits
-- (AwsServiceEvent). Keep the list in step with globalServices in
-- lambda/internal/report/events.go (ctap's local evaluation).
SELECT
  awsregion          AS region,
  recipientaccountid AS account_id,
  count(*)           AS event_count
FROM "${database}"."${table}"
WHERE "date" >= date_format(current_date - INTERVAL '1' DAY, '%Y/%m/%d')
  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '1' DAY
  AND coalesce(eventtype, '') <> 'AwsServiceEvent'
  AND NOT (
    awsregion = 'us-east-1'
    AND eventsource IN (
      'iam.amazonaws.com', 'sts.amazonaws.com', 'signin.amazonaws.com', 'organizations.amazonaws.com',
      'cloudfront.amazonaws.com', 'route53.amazonaws.com', 'route53domains.amazonaws.com',
      'support.amazonaws.com', 'health.amazonaws.com', 'account.amazonaws.com',
      'billingconsole.amazonaws.com', 'ce.amazonaws.com', 'waf.amazonaws.com', 'shield.amazonaws.com'
    )
  )
GROUP BY 1, 2
ORDER BY region, account_id
