-- kpi.value_at_risk_summary: value at risk by owner and segment, cumulative over the horizons
-- (kpis.md, section 6): horizon h counts every account due with horizon_days <= h, and every
-- horizon has a row for every (owner, segment) with an account due.
-- Declaration: contract/AccountKpiTables.VALUE_AT_RISK_SUMMARY.
-- Input: value_at_risk (the accounts due at D). Parameter: :horizons (ARRAY<INT>, increasing).

WITH grid AS (
  SELECT as_of_date, owner, segment, explode(:horizons) AS horizon_days
  FROM (SELECT DISTINCT as_of_date, owner, segment FROM value_at_risk)
),

sums AS (
  SELECT as_of_date, owner, segment, h AS horizon_days,
         count(*)                                                        AS accounts_due,
         CAST(sum(arr) AS DECIMAL(18,2))                                 AS arr_due,
         count_if(at_risk)                                               AS accounts_at_risk,
         CAST(coalesce(sum(arr) FILTER (WHERE at_risk), 0) AS DECIMAL(18,2)) AS arr_at_risk
  FROM (SELECT *, explode(filter(:horizons, h -> h >= horizon_days)) AS h FROM value_at_risk)
  GROUP BY as_of_date, owner, segment, h
),

joined AS (
  SELECT g.as_of_date, g.owner, g.segment, g.horizon_days,
         coalesce(s.accounts_due, 0L)                          AS accounts_due,
         coalesce(s.arr_due, CAST(0 AS DECIMAL(18,2)))         AS arr_due,
         coalesce(s.accounts_at_risk, 0L)                      AS accounts_at_risk,
         coalesce(s.arr_at_risk, CAST(0 AS DECIMAL(18,2)))     AS arr_at_risk
  FROM grid g
  LEFT JOIN sums s
    ON s.as_of_date = g.as_of_date AND s.owner = g.owner AND s.segment = g.segment AND s.horizon_days = g.horizon_days
)

SELECT *, CASE WHEN arr_due > 0 THEN CAST(arr_at_risk AS DOUBLE) / CAST(arr_due AS DOUBLE) END AS share_at_risk
FROM joined
