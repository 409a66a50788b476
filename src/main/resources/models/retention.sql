-- kpi.retention: NRR, GRR and logo retention over windows of :windows months (kpis.md, section 2).
-- For each window w and month M: the accounts with MRR > 0 in month M - w (the base), by their
-- cohort and segment, with s = MRR(M - w) and e = MRR(M). Components are stored, so any roll-up is a
-- sum followed by the same ratios (view kpi.retention_rollup).
-- Declaration: contract/KpiTables.RETENTION. Input: account_mrr_monthly. Parameter: :windows (array of months).

WITH by_account AS (
  -- Each account's months, and its MRR by month. The end of a window is a look-up in the account's
  -- map: no join of the account months with themselves (one shuffle of the rows instead of two,
  -- the base three times over).
  SELECT collect_list(struct(month, cohort_month, segment, mrr)) AS months,
         map_from_entries(collect_list(struct(month, mrr)))     AS mrr_by_month
  FROM account_mrr_monthly
  GROUP BY account_id
),

base AS (
  SELECT mrr_by_month, inline(months) FROM by_account
),

pairs AS (
  -- s = MRR(M - w) > 0, e = MRR(M), where the account has a row for month M.
  SELECT window_months, add_months(month, window_months) AS month, cohort_month, segment, mrr AS s,
         try_element_at(mrr_by_month, add_months(month, window_months)) AS e
  FROM base LATERAL VIEW explode(:windows) w AS window_months
  WHERE mrr > 0
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
  WHERE e IS NOT NULL
  GROUP BY window_months, month, cohort_month, segment
)

SELECT *,
       CAST(end_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)                                  AS nrr,
       CAST(start_mrr - contraction_mrr - churned_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE) AS grr,
       CAST(retained_accounts AS DOUBLE) / start_accounts                                   AS logo_retention
FROM components
