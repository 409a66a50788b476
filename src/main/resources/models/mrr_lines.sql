-- MRR lines (shared model, not published): the current invoice lines that count for MRR
-- (kpis.md, section 1): recurring, not void or draft, covering at least 27 days.
--   months         = max(1, round(days / 30.4375))
--   monthly_amount = amount / months, in the line's currency, 8 decimals kept until the
--                    account-month sum is rounded to cents
--   service_end    = least(period_end, date(ended_at) of the subscription): the exclusive end of coverage
-- Inputs: invoice_lines, subscriptions (silver, every version).

WITH subscription_ends AS (
  SELECT subscription_id, to_date(ended_at) AS sub_end
  FROM subscriptions
  WHERE _is_current
),

eligible AS (
  SELECT line_id, account_id, subscription_id, currency, period_start, period_end, amount,
         datediff(period_end, period_start)                                             AS days,
         CAST(greatest(1, round(datediff(period_end, period_start) / 30.4375)) AS INT)  AS months
  FROM invoice_lines
  WHERE _is_current
    AND line_type = 'recurring'
    AND (invoice_status IS NULL OR invoice_status NOT IN ('void', 'draft'))
    AND datediff(period_end, period_start) >= 27
)

SELECT l.line_id, l.account_id, l.subscription_id, l.currency, l.period_start, l.period_end, l.days, l.months,
       CAST(coalesce(l.amount, 0) / l.months AS DECIMAL(24,8)) AS monthly_amount,
       least(l.period_end, s.sub_end)                          AS service_end
FROM eligible l
LEFT JOIN subscription_ends s ON s.subscription_id = l.subscription_id
