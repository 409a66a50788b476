-- The back-test's AUC per snapshot (intermediate of kpi.health_backtest, kpis.md section 5): the
-- probability that a random churned account scored lower than a random retained one, ties counting
-- one half. Mann-Whitney U over score groups, no pairwise join:
--   U   = sum over churned accounts of (retained with a higher score + half the retained with the same score)
--   auc = U / (churned x retained), null when either group is empty
-- Input: labels (snapshot_date, bucket, health_score, churned and retained counts: health_backtest_labels).

WITH score_groups AS (
  SELECT snapshot_date, health_score, sum(churned) AS c, sum(retained) AS r
  FROM labels
  WHERE health_score IS NOT NULL
  GROUP BY snapshot_date, health_score
),

ranked AS (
  SELECT *,
         sum(r) OVER (PARTITION BY snapshot_date ORDER BY health_score
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS r_at_or_below,
         sum(r) OVER (PARTITION BY snapshot_date)                      AS r_total
  FROM score_groups
),

u AS (
  SELECT snapshot_date, sum(c * (r_total - r_at_or_below + 0.5D * r)) AS u, sum(c) AS c_total, max(r_total) AS r_total
  FROM ranked
  GROUP BY snapshot_date
)

SELECT snapshot_date, CASE WHEN c_total > 0 AND r_total > 0 THEN u / (c_total * r_total) END AS auc
FROM u
