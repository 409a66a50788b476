-- kpi.cohort_matrix: the accounts of a cohort month and segment, k months after the cohort month
-- (kpis.md, section 2). Every account has a row in every month from its cohort month to the as-of
-- month, so cohort_accounts is the cohort's size in every k.
-- Declaration: contract/KpiTables.COHORT_MATRIX. Input: account_mrr_monthly.

WITH cells AS (
  SELECT cohort_month, segment, CAST(months_between(month, cohort_month) AS INT) AS months_since_start,
         count(*)                        AS cohort_accounts,
         count_if(mrr > 0)               AS active_accounts,
         CAST(sum(mrr) AS DECIMAL(18,2)) AS mrr
  FROM account_mrr_monthly
  GROUP BY cohort_month, segment, CAST(months_between(month, cohort_month) AS INT)
),

with_start AS (
  SELECT *,
         CAST(first(CASE WHEN months_since_start = 0 THEN mrr END, true)
              OVER (PARTITION BY cohort_month, segment) AS DECIMAL(18,2)) AS cohort_start_mrr
  FROM cells
)

SELECT *,
       CAST(active_accounts AS DOUBLE) / cohort_accounts        AS logo_retention,
       CAST(mrr AS DOUBLE) / CAST(cohort_start_mrr AS DOUBLE)   AS revenue_retention
FROM with_start
