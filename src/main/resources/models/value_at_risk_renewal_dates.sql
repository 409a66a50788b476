-- Renewal dates of health snapshots (intermediate of kpi.value_at_risk, kpis.md section 6): the CRM
-- renewal_date when present and on or after the snapshot day S; else the earliest period_end of the
-- account's lines of 12 months or longer covering S; else none.
-- Inputs: health (health rows with crm_renewal_date), covering_lines (PointInTimeMrr.coveringLines, shift 0).

WITH long_lines AS (
  SELECT account_id, snapshot_date, min(period_end) AS line_renewal
  FROM covering_lines
  WHERE months >= 12
  GROUP BY account_id, snapshot_date
)

SELECT h.*,
       CASE WHEN h.crm_renewal_date >= h.snapshot_date THEN h.crm_renewal_date ELSE l.line_renewal END AS renewal_date
FROM health h
LEFT JOIN long_lines l ON l.account_id = h.account_id AND l.snapshot_date = h.snapshot_date
