package io.kpilake.contract;

import static io.kpilake.contract.ColumnType.BOOLEAN;
import static io.kpilake.contract.ColumnType.DATE;
import static io.kpilake.contract.ColumnType.DECIMAL;
import static io.kpilake.contract.ColumnType.INT;
import static io.kpilake.contract.ColumnType.RATE;
import static io.kpilake.contract.ColumnType.STRING;
import static io.kpilake.contract.ColumnType.TIMESTAMP;

import io.kpilake.contract.FeedSpec.Column;
import java.util.List;
import java.util.Set;

/** The feed contract (feeds.md) as data: every feed, column, key, required flag and enumeration. */
public final class Feeds {
  private Feeds() {}

  private static Column req(String name, ColumnType t, String comment) {
    return new Column(name, t, true, Set.of(), comment);
  }

  private static Column opt(String name, ColumnType t, String comment) {
    return new Column(name, t, false, Set.of(), comment);
  }

  private static Column oneOf(String name, String comment, String... values) {
    return new Column(name, STRING, false, Set.of(values), comment);
  }

  public static final FeedSpec ACCOUNTS = new FeedSpec("crm", "accounts", List.of(
      req("account_id", STRING, "Account identifier"),
      opt("account_name", STRING, "Account name (free text)"),
      opt("billing_email", STRING, "Billing e-mail (PII: never published in kpi.*)"),
      opt("segment", STRING, "Segment, lower snake case; 'unknown' when missing"),
      opt("region", STRING, "Region"),
      opt("industry", STRING, "Industry"),
      opt("owner", STRING, "Account manager; 'unassigned' when missing"),
      opt("created_at", TIMESTAMP, "When the account was created (UTC)"),
      opt("renewal_date", DATE, "Next contract renewal date"),
      req("updated_at", TIMESTAMP, "When this version of the record was written (UTC)")),
      List.of("account_id"), "CRM accounts, every version (valid_from/valid_to)");

  public static final FeedSpec ACTIVITIES = new FeedSpec("crm", "activities", List.of(
      req("activity_id", STRING, "Activity identifier"),
      req("account_id", STRING, "Account"),
      oneOf("activity_type", "qbr, meeting, call, email or other", "qbr", "meeting", "call", "email", "other"),
      oneOf("contact_role", "executive, champion, user or other", "executive", "champion", "user", "other"),
      req("occurred_at", TIMESTAMP, "When the activity happened (UTC)")),
      List.of("activity_id"), "CRM activities (meetings, calls, e-mails) with the contact's role");

  public static final FeedSpec SUBSCRIPTIONS = new FeedSpec("billing", "subscriptions", List.of(
      req("subscription_id", STRING, "Subscription identifier"),
      req("account_id", STRING, "Account"),
      opt("plan_id", STRING, "Plan"),
      oneOf("status", "trialing, active, past_due, paused or canceled", "trialing", "active", "past_due", "paused", "canceled"),
      opt("started_at", TIMESTAMP, "Service start (UTC)"),
      opt("canceled_at", TIMESTAMP, "When cancellation was requested (UTC)"),
      opt("ended_at", TIMESTAMP, "When service ended (UTC)"),
      oneOf("cancel_reason", "customer_request, payment_failed, fraud or other", "customer_request", "payment_failed", "fraud", "other"),
      req("updated_at", TIMESTAMP, "When this version of the record was written (UTC)")),
      List.of("subscription_id"), "Billing subscriptions, every version (valid_from/valid_to)");

  public static final FeedSpec INVOICE_LINES = new FeedSpec("billing", "invoice_lines", List.of(
      req("line_id", STRING, "Invoice line identifier"),
      req("invoice_id", STRING, "Invoice"),
      req("account_id", STRING, "Account"),
      opt("subscription_id", STRING, "Subscription; null for one-time lines"),
      oneOf("invoice_status", "draft, open, paid, void or uncollectible", "draft", "open", "paid", "void", "uncollectible"),
      req("issued_at", TIMESTAMP, "When the invoice was issued (UTC)"),
      req("currency", STRING, "ISO 4217 currency of amount"),
      oneOf("line_type", "recurring or one_time", "recurring", "one_time"),
      opt("amount", DECIMAL, "Net amount in major units of currency, excluding tax; negative for credits"),
      opt("period_start", DATE, "Service period start (inclusive); required for recurring lines"),
      opt("period_end", DATE, "Service period end (exclusive); required for recurring lines"),
      req("updated_at", TIMESTAMP, "When this version of the record was written (UTC)")),
      List.of("line_id"), "Invoice lines (recurring and one-time)");

  public static final FeedSpec PAYMENT_EVENTS = new FeedSpec("payments", "payment_events", List.of(
      req("event_id", STRING, "Payment event identifier"),
      req("account_id", STRING, "Account"),
      opt("invoice_id", STRING, "Invoice, when the event pays one"),
      oneOf("event_type", "charge, refund or chargeback", "charge", "refund", "chargeback"),
      oneOf("status", "succeeded or failed", "succeeded", "failed"),
      opt("amount", DECIMAL, "Positive amount in major units of currency"),
      opt("currency", STRING, "ISO 4217 currency of amount"),
      req("occurred_at", TIMESTAMP, "When the event happened (UTC)"),
      opt("processor", STRING, "Payment processor, e.g. stripe, adyen"),
      opt("decline_code", STRING, "Decline code of a failed charge"),
      opt("attempt_number", INT, "1 for the first attempt on an invoice, 2.. for retries")),
      List.of("event_id"), "Payment events: charges, refunds, chargebacks");

  public static final FeedSpec TICKETS = new FeedSpec("support", "tickets", List.of(
      req("ticket_id", STRING, "Ticket identifier"),
      req("account_id", STRING, "Account"),
      req("created_at", TIMESTAMP, "When the ticket was opened (UTC)"),
      opt("first_response_at", TIMESTAMP, "First agent response (UTC)"),
      opt("solved_at", TIMESTAMP, "When the ticket was solved (UTC)"),
      oneOf("priority", "low, normal, high or urgent", "low", "normal", "high", "urgent"),
      opt("escalated", BOOLEAN, "Whether the ticket was escalated"),
      opt("csat_score", INT, "Customer satisfaction 1..5"),
      req("updated_at", TIMESTAMP, "When this version of the record was written (UTC)")),
      List.of("ticket_id"), "Support tickets");

  public static final FeedSpec USAGE_DAILY = new FeedSpec("usage", "usage_daily", List.of(
      req("account_id", STRING, "Account"),
      req("usage_date", DATE, "Day of usage"),
      opt("active_users", INT, "Distinct active users that day"),
      opt("licensed_seats", INT, "Seats licensed that day")),
      List.of("account_id", "usage_date"), "Daily product usage per account (optional feed)");

  public static final FeedSpec FX_RATES = new FeedSpec("fx", "rates", List.of(
      req("rate_date", DATE, "Day of the rate"),
      req("currency", STRING, "ISO 4217 currency"),
      opt("rate_to_reporting", RATE, "Reporting-currency units per 1 unit of currency")),
      List.of("rate_date", "currency"), "FX rates to the reporting currency");

  public static final List<FeedSpec> ALL = List.of(
      ACCOUNTS, ACTIVITIES, SUBSCRIPTIONS, INVOICE_LINES, PAYMENT_EVENTS, TICKETS, USAGE_DAILY, FX_RATES);

  public static boolean exists(String source, String entity) {
    return ALL.stream().anyMatch(f -> f.source().equals(source) && f.entity().equals(entity));
  }

  public static FeedSpec get(String source, String entity) {
    return ALL.stream().filter(f -> f.source().equals(source) && f.entity().equals(entity)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown feed " + source + "/" + entity));
  }

  public static String names() {
    return String.join(", ", ALL.stream().map(FeedSpec::name).toList());
  }
}
