-- Investigation: (account, region) pairs active in the last ${lookback_days} days that had no
-- activity in the ${baseline_days} days before.
WITH recent AS (
  SELECT recipientaccountid AS account_id, awsregion AS region,
         count(*) AS event_count, min(eventtime) AS first_seen
  FROM "${database}"."${table}"
  WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
  GROUP BY 1, 2
),
baseline AS (
  SELECT DISTINCT recipientaccountid AS account_id, awsregion AS region
  FROM "${database}"."${table}"
  WHERE "date" >= date_format(current_date - INTERVAL '${lookback_days + baseline_days}' DAY, '%Y/%m/%d')
    AND "date" < date_format(current_date - INTERVAL '${lookback_days}' DAY, '%Y/%m/%d')
)
SELECT r.account_id, r.region, r.event_count, r.first_seen
FROM recent r
LEFT JOIN baseline b ON r.account_id = b.account_id AND r.region = b.region
WHERE b.region IS NULL
ORDER BY r.first_seen DESC
