-- Labelled health snapshots, counted by score (intermediate of kpi.health_backtest, kpis.md
-- section 5): for every month-end snapshot S with S + H days on or before D, how many accounts of
-- each bucket and score churned within H days and how many were retained. An account churned when
-- its MRR is 0 at some month end in (S, S + H] (no account-month row counts as 0).
-- Both the bucket counts (health_backtest) and the AUC (health_auc) read these groups (at tier M
-- about 170,000 rows, from some 620,000 labelled snapshots), held for the run, so the labelling
-- runs once.
-- Each snapshot meets one account-month row: the month after S, with the end of its run of
-- consecutive paying months (gaps and islands), instead of every month end of its horizon.
-- Inputs: account_health (kpi.account_health rows), account_mrr_monthly (one row per account and month).
-- Parameters: :as_of (DATE), :horizon_days (INT, H).

WITH snapshots AS (
  -- Month-end snapshots whose horizon has passed and holds a month end: the next month's end is
  -- on or before S + H (a horizon shorter than that labels nothing).
  SELECT snapshot_date, account_id, health_score, bucket,
         add_months(trunc(snapshot_date, 'MM'), 1) AS next_month
  FROM account_health
  WHERE snapshot_date = last_day(snapshot_date) AND date_add(snapshot_date, :horizon_days) <= :as_of
    AND last_day(add_months(trunc(snapshot_date, 'MM'), 1)) <= date_add(snapshot_date, :horizon_days)
),

paying_months AS (
  -- Months with MRR (neither 0 nor null); consecutive ones share an island number.
  SELECT account_id, month,
         year(month) * 12 + month(month) - row_number() OVER (PARTITION BY account_id ORDER BY month) AS island
  FROM account_mrr_monthly
  WHERE coalesce(mrr, 0) <> 0
),

paying_runs AS (
  -- For every paying month, the last month of its run of consecutive paying months.
  SELECT account_id, month, max(month) OVER (PARTITION BY account_id, island) AS run_end
  FROM paying_months
),

labels AS (
  -- The first month end after S without MRR is the end of the month after the run that holds the
  -- next month, or of the next month itself when it has no MRR: churned when it is within H days.
  SELECT s.snapshot_date, s.health_score, s.bucket,
         last_day(coalesce(add_months(r.run_end, 1), s.next_month)) <= date_add(s.snapshot_date, :horizon_days) AS churned
  FROM snapshots s
  LEFT JOIN paying_runs r ON r.account_id = s.account_id AND r.month = s.next_month
)

SELECT snapshot_date, bucket, health_score,
       count_if(churned)     AS churned,
       count_if(NOT churned) AS retained
FROM labels
GROUP BY snapshot_date, bucket, health_score
