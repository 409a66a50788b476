-- kpi.retention: NRR, GRR and logo retention over windows of :windows months (kpis.md, section 2).
-- For each window w and month M: the accounts with MRR > 0 in month M - w (the base), by their
-- cohort and segment, with s = MRR(M - w) and e = MRR(M). Components are stored, so any roll-up is a
-- sum followed by the same ratios (view kpi.retention_rollup).
-- Declaration: contract/KpiTables.RETENTION. Input: account_mrr_monthly. Parameter: :windows (array of months).

WITH base AS (
  SELECT account_id, cohort_month, segment, month AS start_month, mrr AS s, explode(:windows) AS window_months
  FROM account_mrr_monthly
  WHERE mrr > 0
),

pairs AS (
  -- One equi-join of the account months with themselves shifted by the window: no range join.
  SELECT b.window_months, e.month, b.cohort_month, b.segment, b.s, e.mrr AS e
  FROM base b
  JOIN account_mrr_monthly e
    ON e.account_id = b.account_id AND e.month = add_months(b.start_month, b.window_months)
),

components AS (
  SELECT window_months, month, cohort_month, segment,
         count(*)                                                          AS start_accounts,
         count_if(e > 0)                                                   AS retained_accounts,
         CAST(sum(s) AS DECIMAL(18,2))                                     AS start_mrr,
         CAST(sum(CASE WHEN e > s THEN e - s ELSE 0 END) AS DECIMAL(18,2)) AS expansion_mrr,
         CAST(sum(CASE WHEN e > 0 AND e < s THEN s - e ELSE 0 END) AS DECIMAL(18,2)) AS contraction_mrr,
         CAST(sum(CASE WHEN e = 0 THEN s ELSE 0 END) AS DECIMAL(18,2))     AS churned_mrr,
         CAST(sum(e) AS DECIMAL(18,2))                                     AS end_mrr
  FROM pairs
  GROUP BY window_months, month, cohort_month, segment
)

SELECT *,
       CAST(end_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)                                  AS nrr,
       CAST(start_mrr - contraction_mrr - churned_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE) AS grr,
       CAST(retained_accounts AS DOUBLE) / start_accounts                                   AS logo_retention
FROM components
