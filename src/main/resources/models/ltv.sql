-- kpi.ltv: formula LTV by segment and for all segments together (segment = 'all'), as of month(D)
-- (kpis.md, section 4).
-- Declaration: contract/KpiTables.LTV. Input: account_mrr_monthly.
-- Parameters: :as_of (DATE), :gross_margin (DOUBLE), :max_lifetime_months (DOUBLE, the cap).
--   arpa             = MRR of the accounts active in month(D) / their number
--   monthly churn    = churned accounts / accounts at the start, summed over the 12 months ending at month(D)
--   lifetime         = min(1 / monthly churn, cap); the cap when churn is 0 or unknown
--   ltv              = arpa x gross margin x lifetime

WITH last_12_months AS (
  SELECT *, month = trunc(:as_of, 'MM') AS is_current
  FROM account_mrr_monthly
  WHERE month > add_months(trunc(:as_of, 'MM'), -12) AND month <= trunc(:as_of, 'MM')
),

parts AS (
  SELECT segment,
         count_if(is_current AND mrr > 0)                         AS active_accounts,
         sum(CASE WHEN is_current AND mrr > 0 THEN mrr ELSE 0 END) AS active_mrr,
         count_if(prev_mrr > 0)                                   AS start_sum,
         count_if(movement = 'churn')                             AS churned_sum
  FROM last_12_months
  GROUP BY segment
  UNION ALL
  SELECT 'all',
         count_if(is_current AND mrr > 0),
         sum(CASE WHEN is_current AND mrr > 0 THEN mrr ELSE 0 END),
         count_if(prev_mrr > 0),
         count_if(movement = 'churn')
  FROM last_12_months
),

rates AS (
  SELECT segment, active_accounts,
         CAST(CASE WHEN active_accounts > 0 THEN round(active_mrr / active_accounts, 2) END AS DECIMAL(18,2)) AS arpa,
         CASE WHEN start_sum > 0 THEN CAST(churned_sum AS DOUBLE) / start_sum END                   AS monthly_churn_rate,
         :gross_margin                                                                              AS gross_margin
  FROM parts
),

lifetimes AS (
  SELECT *,
         CASE WHEN monthly_churn_rate IS NULL OR monthly_churn_rate = 0 THEN :max_lifetime_months
              ELSE least(1 / monthly_churn_rate, :max_lifetime_months) END AS expected_lifetime_months
  FROM rates
)

SELECT *,
       CAST(round(CAST(arpa AS DOUBLE) * gross_margin * expected_lifetime_months, 2) AS DECIMAL(18,2)) AS ltv,
       trunc(:as_of, 'MM')                                                                           AS as_of_month
FROM lifetimes
