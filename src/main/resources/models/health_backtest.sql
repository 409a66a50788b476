-- kpi.health_backtest: for every month-end snapshot S with S + H days on or before D, churn within
-- H days by health bucket (every bucket has a row), and the snapshot's AUC (kpis.md, section 5).
-- Declaration: contract/AccountKpiTables.HEALTH_BACKTEST.
-- Inputs: account_health, labels (health_backtest_labels), auc (health_auc).
-- Parameters: :as_of (DATE), :horizon_days (INT).

WITH counts AS (
  SELECT snapshot_date, bucket, sum(churned + retained) AS accounts, sum(churned) AS churned_within_90d
  FROM labels
  GROUP BY snapshot_date, bucket
),

grid AS (
  -- Every back-tested snapshot (as in health_backtest_labels), even one without a month end in its horizon.
  SELECT snapshot_date, explode(array('green', 'yellow', 'red', 'unknown')) AS bucket
  FROM (SELECT DISTINCT snapshot_date FROM account_health
        WHERE snapshot_date = last_day(snapshot_date) AND date_add(snapshot_date, :horizon_days) <= :as_of)
),

by_bucket AS (
  SELECT g.snapshot_date, g.bucket,
         coalesce(c.accounts, 0L)           AS accounts,
         coalesce(c.churned_within_90d, 0L) AS churned_within_90d
  FROM grid g
  LEFT JOIN counts c ON c.snapshot_date = g.snapshot_date AND c.bucket = g.bucket
)

SELECT b.*,
       CASE WHEN b.accounts > 0 THEN CAST(b.churned_within_90d AS DOUBLE) / b.accounts END AS churn_rate,
       a.auc,
       CAST(:horizon_days AS INT) AS horizon_days
FROM by_bucket b
LEFT JOIN auc a ON a.snapshot_date = b.snapshot_date
