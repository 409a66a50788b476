-- kpi.renewals_monthly: renewals due and renewed by month and segment (kpis.md, renewals).
-- Due: MRR lines of 12 months or longer whose period ends in the month (on or before D) and whose
-- subscription had not ended before period_end; ARR due at the rate of the day before period_end.
-- Renewed: the account's MRR on the day period_end (its lines covering that day, at that day's
-- rates) is > 0; ARR renewed = min(ARR due, 12 x that MRR).
-- Declaration: contract/KpiTables.RENEWALS_MONTHLY.
-- Input: mrr_lines (RevenueModel.mrrLines, with segment). Parameter: :as_of (DATE). Function: fx_rate.

WITH due AS (
  SELECT line_id AS due_line, account_id AS due_account, segment, period_end AS renewal_day,
         CAST(round(12 * monthly_amount * fx_rate(currency, date_sub(period_end, 1)), 2) AS DECIMAL(18,2)) AS arr_due
  FROM mrr_lines
  WHERE months >= 12 AND period_end <= :as_of AND service_end >= period_end
),

mrr_on_renewal_day AS (
  SELECT d.due_line, d.segment, d.renewal_day, d.arr_due,
         CAST(greatest(0, round(coalesce(sum(c.monthly_amount * fx_rate(c.currency, d.renewal_day)), 0), 2)) AS DECIMAL(18,2)) AS mrr_on_day
  FROM due d
  LEFT JOIN mrr_lines c
    ON c.account_id = d.due_account AND c.period_start <= d.renewal_day AND d.renewal_day < c.service_end
  GROUP BY d.due_line, d.segment, d.renewal_day, d.arr_due
),

by_month AS (
  SELECT trunc(renewal_day, 'MM')                                     AS month, segment,
         count(*)                                                     AS renewals_due,
         count_if(mrr_on_day > 0)                                     AS renewals_renewed,
         CAST(sum(arr_due) AS DECIMAL(18,2))                          AS arr_due,
         CAST(sum(least(arr_due, 12 * mrr_on_day)) AS DECIMAL(18,2))  AS arr_renewed
  FROM mrr_on_renewal_day
  GROUP BY trunc(renewal_day, 'MM'), segment
)

SELECT *,
       CAST(renewals_renewed AS DOUBLE) / renewals_due                                   AS renewal_rate,
       CASE WHEN arr_due > 0 THEN CAST(arr_renewed AS DOUBLE) / CAST(arr_due AS DOUBLE) END AS renewal_rate_value
FROM by_month
