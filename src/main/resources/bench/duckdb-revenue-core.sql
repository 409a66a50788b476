-- The revenue core of kpis.md (sections 1-3: account MRR by month with movements and churn type,
-- the 1/3/12-month retention components, the churn split) written a second time, in DuckDB SQL,
-- straight from the landing files. It shares no code with the Spark pipeline: it is the bench's
-- peer (speed) and an independent implementation of the definitions (correctness); the bench
-- compares its account_mrr_monthly with the Spark run's, row for row.
--
-- Placeholders: ${landing} (a local path), ${as_of} (YYYY-MM-DD), ${reporting} (currency),
-- ${window_days} (kpi.churn.involuntary-window-days). Statements end with ';' at the end of a line.
-- It reads the formats the generator writes (CSV for billing, CRM and FX, JSON lines for payments).
--
-- Money: monthly amounts are integers in 1e-8 units (amount / months, rounded half up to 8
-- decimals, as the pipeline documents), rates in 1e-8 units, products and sums as HUGEINT in
-- 1e-16 units, then rounded half up to cents: exact integer arithmetic, no floating point.

-- ---------------------------------------------------------------- feeds: typed, valid, latest
CREATE OR REPLACE MACRO valid_ts(x) AS x IS NULL OR TRY_CAST(x AS TIMESTAMP) IS NOT NULL;
CREATE OR REPLACE MACRO valid_date(x) AS x IS NULL OR (regexp_full_match(x, '\d{4}-\d{2}-\d{2}') AND TRY_CAST(x AS DATE) IS NOT NULL);
CREATE OR REPLACE MACRO cents_half_up(v) AS CASE WHEN v >= 0 THEN (v + 50000000000000) // 100000000000000
                                            ELSE -((-v + 50000000000000) // 100000000000000) END;

CREATE OR REPLACE TABLE fx AS
SELECT currency, rate_date, rate FROM (
  SELECT upper(currency) AS currency, CAST(rate_date AS DATE) AS rate_date,
         CAST(CAST(rate_to_reporting AS DECIMAL(18,8)) * 100000000 AS BIGINT) AS rate,
         row_number() OVER (PARTITION BY upper(currency), CAST(rate_date AS DATE) ORDER BY dt DESC, filename DESC) AS rn
  FROM read_csv('${landing}/fx/rates/dt=*/*.csv', all_varchar = true, header = true, hive_partitioning = true, filename = true)
  WHERE CAST(dt AS DATE) <= DATE '${as_of}' AND currency IS NOT NULL AND valid_date(rate_date) AND rate_date IS NOT NULL
    AND (rate_to_reporting IS NULL OR TRY_CAST(rate_to_reporting AS DECIMAL(18,8)) IS NOT NULL)
) WHERE rn = 1 AND rate IS NOT NULL;

CREATE OR REPLACE TABLE fx_first AS
SELECT currency, arg_min(rate, rate_date) AS first_rate FROM fx GROUP BY currency;

CREATE OR REPLACE TABLE lines AS
SELECT * EXCLUDE (rn) FROM (
  SELECT line_id, account_id, nullif(subscription_id, '') AS subscription_id, lower(invoice_status) AS invoice_status,
         upper(currency) AS currency, lower(line_type) AS line_type,
         CAST(coalesce(CAST(amount AS DECIMAL(18,2)), 0) * 100 AS BIGINT) AS amount_cents,
         CAST(period_start AS DATE) AS period_start, CAST(period_end AS DATE) AS period_end,
         row_number() OVER (PARTITION BY line_id ORDER BY CAST(updated_at AS TIMESTAMP) DESC, dt DESC, filename DESC) AS rn
  FROM read_csv('${landing}/billing/invoice_lines/dt=*/*.csv', all_varchar = true, header = true, hive_partitioning = true, filename = true)
  WHERE CAST(dt AS DATE) <= DATE '${as_of}'
    AND line_id IS NOT NULL AND invoice_id IS NOT NULL AND account_id IS NOT NULL AND currency IS NOT NULL
    AND issued_at IS NOT NULL AND updated_at IS NOT NULL
    AND valid_ts(issued_at) AND valid_ts(updated_at) AND valid_date(period_start) AND valid_date(period_end)
    AND (amount IS NULL OR TRY_CAST(amount AS DECIMAL(18,2)) IS NOT NULL)
    AND (invoice_status IS NULL OR lower(invoice_status) IN ('draft', 'open', 'paid', 'void', 'uncollectible'))
    AND (line_type IS NULL OR lower(line_type) IN ('recurring', 'one_time'))
    AND (lower(line_type) IS DISTINCT FROM 'recurring' OR (period_start IS NOT NULL AND period_end IS NOT NULL))
    AND regexp_full_match(upper(currency), '[A-Z]{3}')
    AND (upper(currency) = '${reporting}' OR upper(currency) IN (SELECT currency FROM fx))
) WHERE rn = 1;

CREATE OR REPLACE TABLE subs AS
SELECT * EXCLUDE (rn) FROM (
  SELECT subscription_id, account_id, CAST(CAST(ended_at AS TIMESTAMP) AS DATE) AS ended_on, lower(cancel_reason) AS cancel_reason,
         row_number() OVER (PARTITION BY subscription_id ORDER BY CAST(updated_at AS TIMESTAMP) DESC, dt DESC, filename DESC) AS rn
  FROM read_csv('${landing}/billing/subscriptions/dt=*/*.csv', all_varchar = true, header = true, hive_partitioning = true, filename = true)
  WHERE CAST(dt AS DATE) <= DATE '${as_of}'
    AND subscription_id IS NOT NULL AND account_id IS NOT NULL AND updated_at IS NOT NULL
    AND valid_ts(updated_at) AND valid_ts(started_at) AND valid_ts(canceled_at) AND valid_ts(ended_at)
    AND (status IS NULL OR lower(status) IN ('trialing', 'active', 'past_due', 'paused', 'canceled'))
    AND (cancel_reason IS NULL OR lower(cancel_reason) IN ('customer_request', 'payment_failed', 'fraud', 'other'))
) WHERE rn = 1;

CREATE OR REPLACE TABLE accounts AS
SELECT * EXCLUDE (rn) FROM (
  SELECT account_id,
         coalesce(nullif(regexp_replace(regexp_replace(lower(segment), '[^a-z0-9]+', '_', 'g'), '^_+|_+$', '', 'g'), ''), 'unknown') AS segment,
         region, coalesce(owner, 'unassigned') AS owner,
         row_number() OVER (PARTITION BY account_id ORDER BY CAST(updated_at AS TIMESTAMP) DESC, dt DESC, filename DESC) AS rn
  FROM read_csv('${landing}/crm/accounts/dt=*/*.csv', all_varchar = true, header = true, hive_partitioning = true, filename = true)
  WHERE CAST(dt AS DATE) <= DATE '${as_of}'
    AND account_id IS NOT NULL AND updated_at IS NOT NULL
    AND valid_ts(updated_at) AND valid_ts(created_at) AND valid_date(renewal_date)
) WHERE rn = 1;

CREATE OR REPLACE TABLE charges AS
SELECT account_id, CAST(occurred_at AS TIMESTAMP) AS occurred_at, event_id, status FROM (
  SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY dt DESC, filename DESC) AS rn
  FROM read_json('${landing}/payments/payment_events/dt=*/*.jsonl', format = 'newline_delimited', hive_partitioning = true,
                 filename = true, columns = {event_id: 'VARCHAR', account_id: 'VARCHAR', event_type: 'VARCHAR', status: 'VARCHAR',
                 amount: 'VARCHAR', currency: 'VARCHAR', occurred_at: 'VARCHAR', attempt_number: 'VARCHAR'})
  WHERE CAST(dt AS DATE) <= DATE '${as_of}'
    AND event_id IS NOT NULL AND account_id IS NOT NULL AND occurred_at IS NOT NULL AND valid_ts(occurred_at)
    AND (amount IS NULL OR TRY_CAST(amount AS DECIMAL(18,2)) IS NOT NULL)
    AND (attempt_number IS NULL OR TRY_CAST(attempt_number AS INTEGER) IS NOT NULL)
    AND (event_type IS NULL OR lower(event_type) IN ('charge', 'refund', 'chargeback'))
    AND (status IS NULL OR lower(status) IN ('succeeded', 'failed'))
    AND (currency IS NULL OR (regexp_full_match(upper(currency), '[A-Z]{3}')
         AND (upper(currency) = '${reporting}' OR upper(currency) IN (SELECT currency FROM fx))))
) WHERE rn = 1 AND lower(event_type) = 'charge';

-- ---------------------------------------------------------------- section 1: MRR
-- A recurring line counts for MRR when not void or draft and at least 27 days long; its
-- subscription's end cuts its coverage. Monthly amount in 1e-8 units, half up.
CREATE OR REPLACE TABLE mrr_lines AS
SELECT l.account_id, l.currency, l.period_start, l.period_end, s.ended_on,
       sign(l.amount_cents) * ((abs(l.amount_cents) * 2000000 + m.months) // (2 * m.months)) AS monthly_e8
FROM lines l
CROSS JOIN LATERAL (SELECT CAST(greatest(1, round((l.period_end - l.period_start) / 30.4375)) AS BIGINT) AS months) m
LEFT JOIN subs s ON s.subscription_id = l.subscription_id
WHERE l.line_type = 'recurring' AND l.invoice_status NOT IN ('void', 'draft') AND l.period_end - l.period_start >= 27;

-- Each line expanded into the calendar months it touches, kept where it covers the snapshot day
-- S(M) = min(last day of M, D).
CREATE OR REPLACE TABLE line_months AS
SELECT * FROM (
  SELECT account_id, currency, monthly_e8, CAST(month AS DATE) AS month,
         least(CAST(last_day(month) AS DATE), DATE '${as_of}') AS snapshot_day,
         CAST(last_day(month - INTERVAL 1 MONTH) AS DATE) AS prev_snapshot_day,
         period_start, period_end, ended_on
  FROM (SELECT *, unnest(generate_series(date_trunc('month', period_start),
                                         least(date_trunc('month', period_end), date_trunc('month', DATE '${as_of}')),
                                         INTERVAL 1 MONTH)) AS month
        FROM mrr_lines WHERE period_start <= DATE '${as_of}')
) WHERE period_start <= snapshot_day AND snapshot_day < period_end AND (ended_on IS NULL OR snapshot_day < ended_on);

-- The rate of a currency on a day: the latest on or before it, else its first rate; 1 for the
-- reporting currency.
CREATE OR REPLACE TABLE account_month_revenue AS
WITH at_s AS (
  SELECT lm.*, CASE WHEN lm.currency = '${reporting}' THEN 100000000 ELSE coalesce(r.rate, f.first_rate) END AS rate
  FROM line_months lm
  ASOF LEFT JOIN fx r ON r.currency = lm.currency AND lm.snapshot_day >= r.rate_date
  LEFT JOIN fx_first f ON f.currency = lm.currency
), at_prev AS (
  SELECT a.*, CASE WHEN a.currency = '${reporting}' THEN 100000000 ELSE coalesce(r.rate, f.first_rate) END AS prev_rate
  FROM at_s a
  ASOF LEFT JOIN fx r ON r.currency = a.currency AND a.prev_snapshot_day >= r.rate_date
  LEFT JOIN fx_first f ON f.currency = a.currency
)
SELECT account_id, month,
       greatest(0, cents_half_up(sum(CAST(monthly_e8 AS HUGEINT) * rate))) AS mrr_cents,
       greatest(0, cents_half_up(sum(CAST(monthly_e8 AS HUGEINT) * prev_rate))) AS prev_rates_cents
FROM at_prev GROUP BY account_id, month;

-- Every account from its cohort month (first month with MRR > 0) to month(D).
CREATE OR REPLACE TABLE amm AS
WITH cohorts AS (
  SELECT account_id, min(month) AS cohort_month FROM account_month_revenue WHERE mrr_cents > 0 GROUP BY account_id
), first_month AS (
  SELECT min(month) AS first_data_month FROM account_month_revenue
), grid AS (
  SELECT c.account_id, c.cohort_month, CAST(g.month AS DATE) AS month
  FROM cohorts c, LATERAL (SELECT unnest(generate_series(c.cohort_month, date_trunc('month', DATE '${as_of}'), INTERVAL 1 MONTH)) AS month) g
), filled AS (
  SELECT g.account_id, g.month, g.cohort_month, coalesce(r.mrr_cents, 0) AS mrr,
         CASE WHEN g.month = (SELECT first_data_month FROM first_month) THEN coalesce(r.mrr_cents, 0)
              ELSE coalesce(r.prev_rates_cents, 0) END AS c
  FROM grid g LEFT JOIN account_month_revenue r USING (account_id, month)
), lagged AS (
  SELECT *, coalesce(lag(mrr) OVER (PARTITION BY account_id ORDER BY month), 0) AS p FROM filled
)
SELECT account_id, month, cohort_month, mrr, p AS prev_mrr, c AS mrr_at_prev_rates,
       CASE WHEN p = 0 AND mrr > 0 AND month = cohort_month THEN 'new'
            WHEN p = 0 AND mrr > 0 THEN 'reactivation'
            WHEN p = 0 THEN 'inactive'
            WHEN c = 0 THEN 'churn'
            WHEN c > p THEN 'expansion'
            WHEN c < p THEN 'contraction'
            ELSE 'flat' END AS movement
FROM lagged;

-- churn_type: subscriptions ending in (S(M-1), S(M)] decide; with no reason recorded, the
-- account's latest charge in the window days up to the churn date does.
CREATE OR REPLACE TABLE churn_types AS
WITH churns AS (
  SELECT account_id, month, least(CAST(last_day(month) AS DATE), DATE '${as_of}') AS s,
         CAST(last_day(month - INTERVAL 1 MONTH) AS DATE) AS prev_s
  FROM amm WHERE movement = 'churn'
), decided AS (
  SELECT c.account_id, c.month,
         bool_or(x.cancel_reason = 'payment_failed') AS payment_failed,
         bool_or(x.cancel_reason IS NOT NULL) AS any_reason,
         coalesce(max(x.ended_on), c.s) AS churn_date
  FROM churns c LEFT JOIN subs x ON x.account_id = c.account_id AND x.ended_on > c.prev_s AND x.ended_on <= c.s
  GROUP BY c.account_id, c.month, c.s
), last_charge AS (
  SELECT d.account_id, d.month, arg_max(p.status, (p.occurred_at, p.event_id)) AS last_status
  FROM decided d JOIN charges p ON p.account_id = d.account_id
   AND CAST(p.occurred_at AS DATE) > d.churn_date - ${window_days} AND CAST(p.occurred_at AS DATE) <= d.churn_date
  GROUP BY d.account_id, d.month
)
SELECT d.account_id, d.month,
       CASE WHEN coalesce(d.payment_failed, false) THEN 'involuntary'
            WHEN coalesce(d.any_reason, false) THEN 'voluntary'
            WHEN lc.last_status = 'failed' THEN 'involuntary'
            ELSE 'voluntary' END AS churn_type
FROM decided d LEFT JOIN last_charge lc USING (account_id, month);

CREATE OR REPLACE TABLE account_mrr_monthly AS
SELECT a.account_id, a.month, a.cohort_month,
       coalesce(x.segment, 'unknown') AS segment, x.region, coalesce(x.owner, 'unassigned') AS owner,
       CAST(a.mrr / 100 AS DECIMAL(18,2)) AS mrr, CAST(a.mrr * 12 / 100 AS DECIMAL(18,2)) AS arr,
       CAST(a.prev_mrr / 100 AS DECIMAL(18,2)) AS prev_mrr, CAST(a.mrr_at_prev_rates / 100 AS DECIMAL(18,2)) AS mrr_at_prev_rates,
       a.movement,
       CAST(CASE WHEN a.movement = 'new' THEN a.mrr ELSE 0 END / 100 AS DECIMAL(18,2)) AS new_mrr,
       CAST(CASE WHEN a.movement = 'expansion' THEN a.mrr_at_prev_rates - a.prev_mrr ELSE 0 END / 100 AS DECIMAL(18,2)) AS expansion_mrr,
       CAST(CASE WHEN a.movement = 'contraction' THEN a.prev_mrr - a.mrr_at_prev_rates ELSE 0 END / 100 AS DECIMAL(18,2)) AS contraction_mrr,
       CAST(CASE WHEN a.movement = 'churn' THEN a.prev_mrr ELSE 0 END / 100 AS DECIMAL(18,2)) AS churned_mrr,
       CAST(CASE WHEN a.movement = 'reactivation' THEN a.mrr ELSE 0 END / 100 AS DECIMAL(18,2)) AS reactivation_mrr,
       CAST(CASE WHEN a.prev_mrr > 0 THEN a.mrr - a.mrr_at_prev_rates ELSE 0 END / 100 AS DECIMAL(18,2)) AS fx_impact_mrr,
       t.churn_type
FROM amm a
LEFT JOIN accounts x USING (account_id)
LEFT JOIN churn_types t USING (account_id, month);

-- ---------------------------------------------------------------- section 2: retention components
CREATE OR REPLACE TABLE retention AS
WITH months AS (SELECT DISTINCT month FROM account_month_revenue),
w AS (SELECT unnest([1, 3, 12]) AS window_months)
SELECT w.window_months, CAST(b.month + to_months(w.window_months) AS DATE) AS month, b.cohort_month, b.segment,
       count(*) AS start_accounts, count(*) FILTER (WHERE e.mrr > 0) AS retained_accounts,
       sum(b.mrr) AS start_mrr,
       sum(CASE WHEN e.mrr > b.mrr THEN e.mrr - b.mrr ELSE 0 END) AS expansion_mrr,
       sum(CASE WHEN e.mrr > 0 AND e.mrr < b.mrr THEN b.mrr - e.mrr ELSE 0 END) AS contraction_mrr,
       sum(CASE WHEN e.mrr = 0 THEN b.mrr ELSE 0 END) AS churned_mrr,
       sum(e.mrr) AS end_mrr
FROM account_mrr_monthly b CROSS JOIN w
JOIN account_mrr_monthly e ON e.account_id = b.account_id AND e.month = b.month + to_months(w.window_months)
WHERE b.mrr > 0 AND b.month IN (SELECT month FROM months)
GROUP BY ALL;

-- ---------------------------------------------------------------- section 3: churn split
CREATE OR REPLACE TABLE churn_monthly AS
WITH starts AS (
  SELECT month, segment, count(*) FILTER (WHERE prev_mrr > 0) AS start_accounts, sum(prev_mrr) AS start_mrr
  FROM account_mrr_monthly GROUP BY month, segment HAVING count(*) FILTER (WHERE prev_mrr > 0) > 0
), types AS (SELECT unnest(['voluntary', 'involuntary']) AS churn_type)
SELECT s.month, s.segment, t.churn_type, s.start_accounts, s.start_mrr,
       count(a.account_id) AS churned_accounts, coalesce(sum(a.churned_mrr), 0) AS churned_mrr,
       count(a.account_id) / s.start_accounts AS logo_churn_rate, coalesce(sum(a.churned_mrr), 0) / s.start_mrr AS revenue_churn_rate
FROM starts s CROSS JOIN types t
LEFT JOIN account_mrr_monthly a ON a.month = s.month AND a.segment = s.segment AND a.churn_type = t.churn_type
GROUP BY s.month, s.segment, t.churn_type, s.start_accounts, s.start_mrr;
