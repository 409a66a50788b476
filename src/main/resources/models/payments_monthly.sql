-- kpi.payments_monthly: charge approval by month of occurred_at and processor, and invoice recovery
-- (kpis.md, section 7). An invoice's first failed charge opens it in that charge's month and
-- processor; a later succeeded charge on the same invoice within :recovery_window_days recovers it
-- (the first such charge: its amount, in the reporting currency at its day's rate). Medians are exact.
-- Declaration: contract/AccountKpiTables.PAYMENTS_MONTHLY.
-- Input: payments (payment events in priceable currencies, every version).
-- Parameters: :as_of (DATE), :recovery_window_days (INT). Function: fx_rate(currency, day).

WITH charges AS (
  SELECT invoice_id, event_id, occurred_at, status, attempt_number, amount, currency,
         coalesce(processor, 'unknown')     AS processor,
         trunc(to_date(occurred_at), 'MM')  AS month
  FROM payments
  WHERE _is_current AND event_type = 'charge' AND to_date(occurred_at) <= :as_of
),

attempts AS (
  SELECT month, processor,
         count(*)                                          AS charge_attempts,
         count_if(status = 'succeeded')                    AS succeeded,
         count_if(status = 'failed')                       AS failed,
         count_if(attempt_number = 1)                      AS first_attempts,
         count_if(attempt_number = 1 AND status = 'succeeded') AS first_attempts_ok
  FROM charges
  GROUP BY month, processor
),

first_failure AS (
  SELECT invoice_id, f.occurred_at AS failed_at, f.processor, f.month
  FROM (
    SELECT invoice_id, min_by(struct(occurred_at, event_id, processor, month), struct(occurred_at, event_id)) AS f
    FROM charges
    WHERE invoice_id IS NOT NULL AND status = 'failed'
    GROUP BY invoice_id
  )
),

recovered AS (
  -- The first succeeded charge on the invoice after its first failure, within the window.
  SELECT invoice_id, failed_at, processor, month,
         r.occurred_at AS recovered_at, r.amount AS recovered_amount_orig, r.currency AS recovered_currency
  FROM (
    SELECT f.invoice_id, f.failed_at, f.processor, f.month,
           min_by(struct(s.occurred_at, s.amount, s.currency), struct(s.occurred_at, s.event_id)) AS r
    FROM first_failure f
    LEFT JOIN charges s
      ON s.invoice_id = f.invoice_id AND s.status = 'succeeded'
     AND s.occurred_at > f.failed_at AND s.occurred_at <= f.failed_at + make_dt_interval(:recovery_window_days)
    GROUP BY f.invoice_id, f.failed_at, f.processor, f.month
  )
),

recovery AS (
  SELECT month, processor,
         count(*)             AS failed_invoices,
         count(recovered_at)  AS recovered_invoices,
         CAST(coalesce(round(sum(recovered_amount_orig * fx_rate(recovered_currency, to_date(recovered_at))), 2), 0)
              AS DECIMAL(18,2)) AS recovered_amount,
         percentile((unix_micros(recovered_at) - unix_micros(failed_at)) / 86400000000D, 0.5) AS median_days_to_recover
  FROM recovered
  GROUP BY month, processor
)

SELECT a.month, a.processor, a.charge_attempts, a.succeeded, a.failed,
       coalesce(r.failed_invoices, 0L)                            AS failed_invoices,
       coalesce(r.recovered_invoices, 0L)                         AS recovered_invoices,
       coalesce(r.recovered_amount, CAST(0 AS DECIMAL(18,2)))     AS recovered_amount,
       r.median_days_to_recover,
       CAST(a.succeeded AS DOUBLE) / a.charge_attempts            AS approval_rate,
       CASE WHEN a.first_attempts > 0 THEN CAST(a.first_attempts_ok AS DOUBLE) / a.first_attempts END AS first_attempt_approval_rate,
       CASE WHEN coalesce(r.failed_invoices, 0L) > 0
            THEN CAST(coalesce(r.recovered_invoices, 0L) AS DOUBLE) / coalesce(r.failed_invoices, 0L) END AS recovery_rate
FROM attempts a
LEFT JOIN recovery r ON r.month = a.month AND r.processor = a.processor
