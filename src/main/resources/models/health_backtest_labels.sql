-- Labelled health snapshots, counted by score (intermediate of kpi.health_backtest, kpis.md
-- section 5): for every month-end snapshot S with S + H days on or before D, how many accounts of
-- each bucket and score churned within H days and how many were retained. An account churned when
-- its MRR is 0 at some month end in (S, S + H] (no account-month row counts as 0).
-- Both the bucket counts (health_backtest) and the AUC (health_auc) read these groups (at tier M
-- about 170,000 rows, from some 620,000 labelled snapshots), held for the run, so the join with the
-- account months runs once.
-- Inputs: account_health (kpi.account_health rows), account_mrr_monthly.
-- Parameters: :as_of (DATE), :horizon_days (INT, H).

WITH snapshots AS (
  SELECT snapshot_date, account_id, health_score, bucket
  FROM account_health
  WHERE snapshot_date = last_day(snapshot_date) AND date_add(snapshot_date, :horizon_days) <= :as_of
),

month_ends_after AS (
  SELECT *, explode(sequence(add_months(trunc(snapshot_date, 'MM'), 1),
                             trunc(date_add(snapshot_date, :horizon_days), 'MM'), interval 1 month)) AS m
  FROM snapshots
),

labels AS (
  -- One row per snapshot and account: churned within H days or not.
  SELECT s.snapshot_date, s.account_id, s.health_score, s.bucket,
         max(coalesce(o.mrr, 0) = 0) AS churned
  FROM month_ends_after s
  LEFT JOIN account_mrr_monthly o ON o.account_id = s.account_id AND o.month = s.m
  WHERE last_day(s.m) <= date_add(s.snapshot_date, :horizon_days)
  GROUP BY s.snapshot_date, s.account_id, s.health_score, s.bucket
)

SELECT snapshot_date, bucket, health_score,
       count_if(churned)     AS churned,
       count_if(NOT churned) AS retained
FROM labels
GROUP BY snapshot_date, bucket, health_score
