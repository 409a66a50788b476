-- kpi.account_mrr_monthly: MRR per account and month from the account's cohort month to month(D),
-- with its movement and churn type (kpis.md, sections 1 and 3).
-- Declaration: contract/KpiTables.ACCOUNT_MRR_MONTHLY.
-- Inputs: account_month_revenue (model), subscriptions, payments, accounts (silver, every version).
-- Parameters: :as_of (DATE), :involuntary_window_days (INT).

WITH cohorts AS (
  -- The cohort month: the account's first month with MRR > 0.
  SELECT account_id, min(month) AS cohort_month
  FROM account_month_revenue
  WHERE mrr > 0
  GROUP BY account_id
),

first_data_month AS (
  SELECT min(month) AS first_data_month FROM account_month_revenue
),

grid AS (
  -- Every month from the cohort month to month(D), months without revenue at 0.
  SELECT account_id, cohort_month, explode(sequence(cohort_month, trunc(:as_of, 'MM'), interval 1 month)) AS month
  FROM cohorts
),

with_revenue AS (
  -- In the first month of the data there is no previous month: mrr_at_prev_rates = mrr.
  SELECT /*+ BROADCAST(f) */ g.account_id, g.month, g.cohort_month,
         coalesce(r.mrr, CAST(0 AS DECIMAL(18,2))) AS mrr,
         CASE WHEN g.month = f.first_data_month THEN coalesce(r.mrr, CAST(0 AS DECIMAL(18,2)))
              ELSE coalesce(r.mrr_at_prev_rates, CAST(0 AS DECIMAL(18,2))) END AS mrr_at_prev_rates
  FROM grid g
  LEFT JOIN account_month_revenue r ON r.account_id = g.account_id AND r.month = g.month
  CROSS JOIN first_data_month f
),

with_prev AS (
  SELECT *, coalesce(lag(mrr) OVER (PARTITION BY account_id ORDER BY month), CAST(0 AS DECIMAL(18,2))) AS prev_mrr
  FROM with_revenue
),

classified AS (
  -- Movements compare this month's lines at last month's rates with last month's MRR.
  SELECT *,
         CASE WHEN prev_mrr = 0 AND mrr > 0 AND month = cohort_month THEN 'new'
              WHEN prev_mrr = 0 AND mrr > 0 THEN 'reactivation'
              WHEN prev_mrr = 0 THEN 'inactive'
              WHEN mrr_at_prev_rates = 0 THEN 'churn'
              WHEN mrr_at_prev_rates > prev_mrr THEN 'expansion'
              WHEN mrr_at_prev_rates < prev_mrr THEN 'contraction'
              ELSE 'flat' END AS movement
  FROM with_prev
),

amounts AS (
  -- mrr = prev_mrr + new + reactivation + expansion - contraction - churned + fx_impact
  SELECT *,
         CAST(CASE WHEN movement = 'new' THEN mrr ELSE 0 END AS DECIMAL(18,2))                                   AS new_mrr,
         CAST(CASE WHEN movement = 'reactivation' THEN mrr ELSE 0 END AS DECIMAL(18,2))                          AS reactivation_mrr,
         CAST(CASE WHEN movement = 'expansion' THEN mrr_at_prev_rates - prev_mrr ELSE 0 END AS DECIMAL(18,2))    AS expansion_mrr,
         CAST(CASE WHEN movement = 'contraction' THEN prev_mrr - mrr_at_prev_rates ELSE 0 END AS DECIMAL(18,2))  AS contraction_mrr,
         CAST(CASE WHEN movement = 'churn' THEN prev_mrr ELSE 0 END AS DECIMAL(18,2))                            AS churned_mrr,
         CAST(CASE WHEN prev_mrr > 0 THEN mrr - mrr_at_prev_rates ELSE 0 END AS DECIMAL(18,2))                   AS fx_impact_mrr,
         CAST(mrr * 12 AS DECIMAL(18,2))                                                                         AS arr
  FROM classified
),

churns AS (
  SELECT account_id, month, least(last_day(month), :as_of) AS s, last_day(add_months(month, -1)) AS prev_s
  FROM amounts
  WHERE movement = 'churn'
),

churn_reasons AS (
  -- Subscriptions ending in (S(M-1), S(M)] decide: payment_failed -> involuntary, another reason -> voluntary.
  SELECT c.account_id, c.month, c.s,
         max(CASE WHEN e.cancel_reason = 'payment_failed' THEN 1 ELSE 0 END) AS payment_failed,
         max(CASE WHEN e.cancel_reason IS NOT NULL THEN 1 ELSE 0 END)        AS any_reason,
         coalesce(max(e.sub_end), c.s)                                       AS churn_date
  FROM churns c
  LEFT JOIN (SELECT account_id, to_date(ended_at) AS sub_end, cancel_reason
             FROM subscriptions WHERE _is_current AND ended_at IS NOT NULL) e
    ON e.account_id = c.account_id AND e.sub_end > c.prev_s AND e.sub_end <= c.s
  GROUP BY c.account_id, c.month, c.s
),

churn_types AS (
  -- With no reason, the account's latest charge in the window up to the churn date decides.
  SELECT r.account_id, r.month,
         CASE WHEN r.payment_failed = 1 THEN 'involuntary'
              WHEN r.any_reason = 1 THEN 'voluntary'
              WHEN max_by(p.status, struct(p.occurred_at, p.event_id)) = 'failed' THEN 'involuntary'
              ELSE 'voluntary' END AS churn_type
  FROM churn_reasons r
  LEFT JOIN (SELECT account_id, occurred_at, event_id, status
             FROM payments WHERE _is_current AND event_type = 'charge') p
    ON p.account_id = r.account_id
   AND to_date(p.occurred_at) > date_sub(r.churn_date, :involuntary_window_days)
   AND to_date(p.occurred_at) <= r.churn_date
  GROUP BY r.account_id, r.month, r.payment_failed, r.any_reason
)

-- Segment, region and owner: the latest CRM values ('unknown' / 'unassigned' when not in the CRM).
SELECT a.*, t.churn_type,
       coalesce(crm.segment, 'unknown')  AS segment,
       crm.region,
       coalesce(crm.owner, 'unassigned') AS owner
FROM amounts a
LEFT JOIN churn_types t ON t.account_id = a.account_id AND t.month = a.month
LEFT JOIN (SELECT account_id, segment, region, owner FROM accounts WHERE _is_current) crm ON crm.account_id = a.account_id
