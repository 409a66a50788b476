-- kpi.value_at_risk: the accounts active at D whose renewal falls within the largest horizon, with
-- ARR, health and an at-risk flag (kpis.md, section 6). horizon_days is the smallest horizon that
-- holds the renewal; at risk = bucket red or yellow, or an alert.
-- Declaration: contract/AccountKpiTables.VALUE_AT_RISK.
-- Input: health (health rows with renewal_date: value_at_risk_renewal_dates).
-- Parameters: :as_of (DATE), :horizons (ARRAY<INT>, increasing).

WITH due AS (
  SELECT *, datediff(renewal_date, snapshot_date) AS days_to_renewal
  FROM health
  WHERE snapshot_date = :as_of AND renewal_date IS NOT NULL
)

SELECT *,
       snapshot_date                                            AS as_of_date,
       array_min(filter(:horizons, h -> h >= days_to_renewal))  AS horizon_days,
       CAST(12 * mrr AS DECIMAL(18,2))                          AS arr,
       bucket IN ('red', 'yellow') OR alert                     AS at_risk
FROM due
WHERE days_to_renewal <= array_max(:horizons)
