-- kpi.churn_monthly: logo and revenue churn by month and segment, split voluntary / involuntary
-- (kpis.md, section 3). Both churn types have a row for every month and segment with accounts at
-- its start, churned or not.
-- Declaration: contract/KpiTables.CHURN_MONTHLY. Input: account_mrr_monthly.

WITH month_start AS (
  -- Accounts and MRR at the start of the month: the previous month's MRR.
  SELECT month, segment,
         count_if(prev_mrr > 0)               AS start_accounts,
         CAST(sum(prev_mrr) AS DECIMAL(18,2)) AS start_mrr
  FROM account_mrr_monthly
  GROUP BY month, segment
),

both_types AS (
  SELECT month, segment, explode(array('voluntary', 'involuntary')) AS churn_type, start_accounts, start_mrr
  FROM month_start
  WHERE start_accounts > 0
),

churned AS (
  SELECT month, segment, churn_type,
         count(*)                                AS churned_accounts,
         CAST(sum(churned_mrr) AS DECIMAL(18,2)) AS churned_mrr
  FROM account_mrr_monthly
  WHERE movement = 'churn'
  GROUP BY month, segment, churn_type
),

joined AS (
  SELECT b.month, b.segment, b.churn_type, b.start_accounts, b.start_mrr,
         coalesce(c.churned_accounts, 0)                     AS churned_accounts,
         coalesce(c.churned_mrr, CAST(0 AS DECIMAL(18,2)))   AS churned_mrr
  FROM both_types b
  LEFT JOIN churned c
    ON c.month = b.month AND c.segment = b.segment AND c.churn_type = b.churn_type
)

SELECT *,
       CAST(churned_accounts AS DOUBLE) / start_accounts          AS logo_churn_rate,
       CAST(churned_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)    AS revenue_churn_rate
FROM joined
