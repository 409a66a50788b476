-- kpi.support_monthly: tickets by month of created_at and segment, escalations, exact median
-- first-response and resolution hours, mean CSAT (kpis.md, section 7).
-- Declaration: contract/AccountKpiTables.SUPPORT_MONTHLY.
-- Input: tickets (current versions, with the account's latest CRM segment). Parameter: :as_of (DATE).

WITH tickets_to_d AS (
  SELECT trunc(to_date(created_at), 'MM')                                         AS month,
         segment, escalated, csat_score,
         (unix_micros(first_response_at) - unix_micros(created_at)) / 3600000000D AS response_hours,
         (unix_micros(solved_at) - unix_micros(created_at)) / 3600000000D         AS resolution_hours
  FROM tickets
  WHERE _is_current AND to_date(created_at) <= :as_of
),

by_month AS (
  SELECT month, segment,
         count(*)                          AS tickets,
         count_if(escalated)               AS escalated,
         percentile(response_hours, 0.5)   AS median_first_response_hours,
         percentile(resolution_hours, 0.5) AS median_resolution_hours,
         avg(csat_score)                   AS avg_csat,
         count(csat_score)                 AS csat_responses
  FROM tickets_to_d
  GROUP BY month, segment
)

SELECT *, CAST(escalated AS DOUBLE) / tickets AS escalation_rate
FROM by_month
