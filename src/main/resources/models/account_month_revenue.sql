-- Account-month revenue (shared model, not published; computed once, every revenue table builds on
-- it): each MRR line is expanded into the months M whose snapshot day S(M) = min(last_day(M), D)
-- it covers (period_start <= S(M) < service_end), months up to month(D): no range join. Then per
-- account and month (kpis.md, section 1):
--   mrr               = max(0, round(sum(monthly_amount x rate on S(M)), 2))
--   mrr_at_prev_rates = max(0, round(sum(monthly_amount x rate on S(M-1)), 2))  -- movements at constant rates
-- Input: mrr_lines (priceable currencies). Parameter: :as_of (DATE). Function: fx_rate(currency, day).

WITH line_months AS (
  -- Lines starting after D, or cut by an end of service before they start, cover no snapshot day
  -- (and would make a descending sequence).
  SELECT account_id, currency, monthly_amount, period_start, service_end,
         explode(sequence(trunc(period_start, 'MM'),
                          least(trunc(date_sub(service_end, 1), 'MM'), trunc(:as_of, 'MM')),
                          interval 1 month)) AS month
  FROM mrr_lines
  WHERE period_start <= :as_of AND period_start < service_end
),

covered AS (
  SELECT account_id, currency, monthly_amount, month, least(last_day(month), :as_of) AS snapshot_day
  FROM line_months
  WHERE period_start <= least(last_day(month), :as_of) AND least(last_day(month), :as_of) < service_end
)

SELECT account_id, month,
       CAST(greatest(0, round(sum(monthly_amount * fx_rate(currency, snapshot_day)), 2)) AS DECIMAL(18,2)) AS mrr,
       CAST(greatest(0, round(sum(monthly_amount * fx_rate(currency, last_day(add_months(month, -1)))), 2))
            AS DECIMAL(18,2)) AS mrr_at_prev_rates
FROM covered
GROUP BY account_id, month
