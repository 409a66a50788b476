-- The months of kpi.support_monthly that a night recomputes (intermediate; docs/design.md): the
-- other months keep their published rows. A month's rows change only when a ticket created in it
-- changes, or when the segment one of its tickets is counted under (its account's latest CRM
-- segment) changes. So the months recomputed are:
--   * every month from month(P) on: the as-of date moved, and tickets created after P count now;
--   * the created_at month of every version of a ticket with a version ingested since the
--     publication (a correction may move a ticket to another month or account);
--   * every month with a ticket of an account whose segment may have changed: a CRM version
--     ingested since the publication, and either more than one segment among the account's
--     versions or no version before (its tickets were counted under 'unknown').
-- Inputs: tickets (every version), accounts (every version).
-- Parameters: :published_at (TIMESTAMP, when the publication's run ingested up to),
--   :published_as_of (DATE, P).

-- The few keys ingested since the publication are broadcast to the full tables (a night's worth
-- against 4.4 million ticket versions at tier M): an OR of IN-subqueries shuffled every ticket.

WITH new_tickets AS (
  SELECT ticket_id FROM tickets WHERE _ingested_at > :published_at
),

new_accounts AS (
  SELECT account_id FROM accounts WHERE _ingested_at > :published_at
),

changed_accounts AS (
  SELECT /*+ BROADCAST(n) */ a.account_id
  FROM accounts a LEFT SEMI JOIN new_accounts n ON a.account_id = n.account_id
  GROUP BY a.account_id
  HAVING count(DISTINCT coalesce(a.segment, '')) > 1 OR min(a._ingested_at) > :published_at
)

SELECT trunc(to_date(created_at), 'MM') AS month
FROM tickets
WHERE to_date(created_at) >= trunc(:published_as_of, 'MM')
UNION
SELECT /*+ BROADCAST(n) */ trunc(to_date(t.created_at), 'MM')
FROM tickets t LEFT SEMI JOIN new_tickets n ON t.ticket_id = n.ticket_id
UNION
SELECT /*+ BROADCAST(c) */ trunc(to_date(t.created_at), 'MM')
FROM tickets t LEFT SEMI JOIN changed_accounts c ON t.account_id = c.account_id
