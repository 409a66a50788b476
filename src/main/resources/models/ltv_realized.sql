-- kpi.ltv_realized: net revenue to date of each cohort (cohort month and segment), by months since
-- its cohort month, for every month from the cohort month to month(D) (kpis.md, section 4).
-- Net revenue: succeeded charges minus refunds and chargebacks, in the reporting currency at the
-- rate of the day they occurred (fx_rate); payments before the cohort month count in month 0.
-- Declaration: contract/KpiTables.LTV_REALIZED.
-- Inputs: account_mrr_monthly; payments (payment events in priceable currencies, every version).
-- Parameter: :as_of (DATE). Function: fx_rate(currency, day).

WITH cohorts AS (
  SELECT account_id, cohort_month, segment
  FROM account_mrr_monthly
  WHERE month = cohort_month
),

money AS (
  -- A succeeded event of no known type is neither a charge nor a refund: not counted.
  SELECT account_id, to_date(occurred_at) AS day,
         CASE WHEN event_type = 'charge' THEN amount
              WHEN event_type IN ('refund', 'chargeback') THEN -amount END
           * fx_rate(currency, to_date(occurred_at)) AS net
  FROM payments
  WHERE _is_current AND status = 'succeeded' AND amount IS NOT NULL AND to_date(occurred_at) <= :as_of
),

per_cohort_month AS (
  SELECT c.cohort_month, c.segment,
         greatest(0, CAST(months_between(trunc(m.day, 'MM'), c.cohort_month) AS INT)) AS months_since_start,
         sum(m.net) AS net_revenue
  FROM money m
  JOIN cohorts c ON c.account_id = m.account_id
  GROUP BY 1, 2, 3
),

grid AS (
  SELECT cohort_month, segment, cohort_accounts,
         explode(sequence(0, CAST(months_between(trunc(:as_of, 'MM'), cohort_month) AS INT))) AS months_since_start
  FROM (SELECT cohort_month, segment, count(*) AS cohort_accounts FROM cohorts GROUP BY cohort_month, segment)
),

monthly AS (
  SELECT g.cohort_month, g.segment, g.months_since_start, g.cohort_accounts,
         CAST(round(coalesce(p.net_revenue, 0), 2) AS DECIMAL(18,2)) AS net_revenue
  FROM grid g
  LEFT JOIN per_cohort_month p
    ON p.cohort_month = g.cohort_month AND p.segment = g.segment AND p.months_since_start = g.months_since_start
),

cumulative AS (
  SELECT *,
         CAST(sum(net_revenue) OVER (PARTITION BY cohort_month, segment ORDER BY months_since_start
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DECIMAL(18,2)) AS cumulative_net_revenue
  FROM monthly
)

SELECT *, CAST(round(cumulative_net_revenue / cohort_accounts, 2) AS DECIMAL(18,2)) AS ltv_to_date
FROM cumulative
