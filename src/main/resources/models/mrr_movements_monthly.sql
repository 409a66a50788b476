-- kpi.mrr_movements_monthly: the MRR bridge by month and segment (kpis.md, section 1).
-- Declaration (columns, comments, NOT NULL / CHECK constraints): contract/KpiTables.MRR_MOVEMENTS_MONTHLY.
-- Input: account_mrr_monthly (one row per account and month, with its movement and amounts).
-- start_mrr + new + expansion + reactivation - contraction - churned + fx_impact = end_mrr.

SELECT
  month,
  segment,
  count_if(prev_mrr > 0)                        AS start_accounts,
  CAST(sum(prev_mrr) AS DECIMAL(18,2))          AS start_mrr,
  CAST(sum(new_mrr) AS DECIMAL(18,2))           AS new_mrr,
  CAST(sum(expansion_mrr) AS DECIMAL(18,2))     AS expansion_mrr,
  CAST(sum(contraction_mrr) AS DECIMAL(18,2))   AS contraction_mrr,
  CAST(sum(churned_mrr) AS DECIMAL(18,2))       AS churned_mrr,
  CAST(sum(reactivation_mrr) AS DECIMAL(18,2))  AS reactivation_mrr,
  CAST(sum(fx_impact_mrr) AS DECIMAL(18,2))     AS fx_impact_mrr,
  CAST(sum(mrr) AS DECIMAL(18,2))               AS end_mrr,
  count_if(mrr > 0)                             AS end_accounts,
  count_if(movement = 'new')                    AS new_accounts,
  count_if(movement = 'churn')                  AS churned_accounts,
  count_if(movement = 'reactivation')           AS reactivated_accounts
FROM account_mrr_monthly
GROUP BY month, segment
