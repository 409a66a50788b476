package io.kpilake.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Deterministic synthetic landing data for every feed of the contract, written day by day into
 * {@code dt=} folders like a real landing area. Each account has a hidden "health" that drives,
 * with noise, its churn hazard, usage, tickets, CSAT, CRM engagement and payment failures, so KPIs
 * and health scores have a realistic, imperfect signal. A small share of records is deliberately
 * bad (bad dates, non-numeric amounts, unknown enum values, missing required fields, duplicates)
 * and one file is re-delivered under a new name. Memory: O(accounts) small state objects plus the
 * records scheduled for later days; output is streamed.
 */
public final class Generator {
  public record Params(int accounts, int months, long seed, Path out, LocalDate start, int usageDays, double badRate) {
    public LocalDate lastDay() {
      return start.plusMonths(months).minusDays(1);
    }
  }

  public record Summary(LocalDate firstDay, LocalDate lastDay, Map<String, Long> rows, Map<String, Long> badRecords) {}

  static final String ACCOUNTS = "crm/accounts";
  static final String ACTIVITIES = "crm/activities";
  static final String SUBSCRIPTIONS = "billing/subscriptions";
  static final String LINES = "billing/invoice_lines";
  static final String PAYMENTS = "payments/payment_events";
  static final String TICKETS = "support/tickets";
  static final String FX = "fx/rates";

  static final List<String> ACCOUNTS_H = List.of("account_id", "account_name", "billing_email", "segment", "region",
      "industry", "owner", "created_at", "renewal_date", "updated_at");
  static final List<String> SUBS_H = List.of("subscription_id", "account_id", "plan_id", "status", "started_at",
      "canceled_at", "ended_at", "cancel_reason", "updated_at");
  static final List<String> LINES_H = List.of("line_id", "invoice_id", "account_id", "subscription_id", "invoice_status",
      "issued_at", "currency", "line_type", "amount", "period_start", "period_end", "updated_at");
  static final List<String> FX_H = List.of("rate_date", "currency", "rate_to_reporting");

  private static final String[] SEGMENTS = {"smb", "mid_market", "enterprise"};
  private static final String[] SEGMENT_SPELLING = {"SMB", "Mid-Market", "Enterprise"};
  private static final String[] REGIONS = {"na", "emea", "apac", "latam"};
  private static final String[] INDUSTRIES = {"software", "retail", "finance", "health", "media", "manufacturing"};
  private static final String[] ROLES = {"executive", "champion", "user", "other"};
  private static final String[] ACTIVITY_TYPES = {"qbr", "meeting", "call", "email", "other"};
  private static final String[] PRIORITIES = {"low", "normal", "high", "urgent"};
  private static final String[] DECLINES = {"insufficient_funds", "card_expired", "do_not_honor", "processing_error"};
  private static final double[] CHURN_BASE = {0.030, 0.015, 0.008};
  private static final double[] TICKETS_PER_MONTH = {0.6, 1.5, 4.0};
  private static final double[] ACTIVITIES_PER_MONTH = {0.6, 2.0, 5.0};
  private static final int[] DUNNING_GAPS = {3, 4, 7};

  private final Params p;
  private final SplittableRandom rnd;
  private final Map<String, Long> rows = new TreeMap<>();
  private final Map<String, Long> bad = new TreeMap<>();
  /** Records due on a later day (ticket resolutions, refunds): day index -> emitters. */
  private final TreeMap<Integer, List<Runnable>> later = new TreeMap<>();
  private FeedWriters w;
  private int day;
  private LocalDate date;
  private long seq;
  private long versionCounter;

  private Generator(Params p) {
    this.p = p;
    this.rnd = new SplittableRandom(p.seed());
  }

  public static Summary generate(Params p) {
    return new Generator(p).run();
  }

  /** Hidden per-account state. */
  private static final class Acct {
    String id;
    int seg;
    String currency;
    double health;
    int signupDay;
    boolean annual;
    long priceCents;
    int seats;
    String owner;
    String region;
    String industry;
    String subId;
    String subStarted;
    boolean active;
    boolean everActive;
    int nextBill = -1;
    boolean cancelAtNextBill;
    String cancelReason;
    String canceledAt;
    int dunNext = -1;
    int dunAttempt;
    String dunInvoice;
    String dunLine;
    long dunAmount;
    String dunLineCsvTail;
    String dunIssued;
  }

  private Summary run() {
    int days = (int) (p.lastDay().toEpochDay() - p.start().toEpochDay()) + 1;
    List<Acct> accts = new ArrayList<>(p.accounts());
    for (int i = 0; i < p.accounts(); i++) {
      accts.add(newAccount(i, days));
    }
    double eur = 1.08;
    double gbp = 1.27;
    int redeliverDay = Math.max(0, days / 2);
    for (day = 0; day < days; day++) {
      date = p.start().plusDays(day);
      w = new FeedWriters(p.out(), date, rows);
      versionCounter = 0;
      try {
        eur = eur * (1 + rnd.nextGaussian() * 0.003);
        gbp = gbp * (1 + rnd.nextGaussian() * 0.003);
        csv(FX, FX_H, date + ",EUR," + fmt8(eur));
        csv(FX, FX_H, date + ",GBP," + fmt8(gbp));
        for (Acct a : accts) {
          simulate(a, days);
        }
        List<Runnable> due = later.remove(day);
        if (due != null) {
          due.forEach(Runnable::run);
        }
      } finally {
        w.close();
      }
      if (day == redeliverDay + 1) {
        redeliver(p.start().plusDays(redeliverDay), date);
      }
    }
    return new Summary(p.start(), p.lastDay(), Map.copyOf(rows), Map.copyOf(bad));
  }

  private Acct newAccount(int i, int days) {
    Acct a = new Acct();
    a.id = String.format(Locale.ROOT, "A%07d", i + 1);
    double s = rnd.nextDouble();
    a.seg = s < 0.70 ? 0 : s < 0.92 ? 1 : 2;
    double c = rnd.nextDouble();
    a.currency = c < 0.70 ? "USD" : c < 0.90 ? "EUR" : "GBP";
    a.health = rnd.nextGaussian();
    a.signupDay = rnd.nextDouble() < 0.35 ? rnd.nextInt(Math.min(30, days)) : rnd.nextInt(Math.max(1, days - 1));
    a.annual = rnd.nextDouble() < new double[] {0.15, 0.45, 0.80}[a.seg];
    long base = new long[] {50_00, 600_00, 6_000_00}[a.seg];
    a.priceCents = roundTo(base + (long) (rnd.nextDouble() * base * 4), 100);
    a.seats = new int[] {5, 30, 250}[a.seg] + rnd.nextInt(new int[] {15, 150, 1500}[a.seg]);
    a.owner = a.seg == 0 && rnd.nextDouble() < 0.3 ? null : "am" + (1 + rnd.nextInt(new int[] {40, 25, 10}[a.seg]));
    a.region = REGIONS[rnd.nextInt(REGIONS.length)];
    a.industry = INDUSTRIES[rnd.nextInt(INDUSTRIES.length)];
    return a;
  }

  private void simulate(Acct a, int days) {
    if (day == a.signupDay) {
      writeAccount(a, null);
      if (rnd.nextDouble() < 0.25) {
        oneTime(a, "inv-" + next(), roundTo(a.priceCents / 2, 100), "onboarding");
      }
      start(a);
    }
    if (day < a.signupDay) {
      return;
    }
    if (!a.active) {
      if (a.everActive && rnd.nextDouble() < 0.01 / 30) {
        start(a); // reactivation: a new subscription for a returning customer
      }
      return;
    }
    if (day == a.dunNext) {
      dunning(a);
      if (!a.active) {
        return;
      }
    }
    if (day == a.nextBill) {
      if (a.cancelAtNextBill) {
        end(a, a.cancelReason, "canceled");
        return;
      }
      bill(a);
    } else if (!a.annual && a.dunNext < 0 && rnd.nextDouble() < 0.03 / 30) {
      upgradeMidCycle(a);
    }
    engagement(a, days);
  }

  private void start(Acct a) {
    a.subId = "S" + a.id.substring(1) + "-" + next();
    a.subStarted = ts(0);
    a.active = true;
    a.everActive = true;
    a.cancelAtNextBill = false;
    a.cancelReason = null;
    a.canceledAt = null;
    a.nextBill = day;
    a.dunNext = -1;
    writeSub(a, "active", null, null, null);
  }

  private void bill(Acct a) {
    if (a.annual && day != a.signupDay) {
      double r = rnd.nextDouble();
      a.priceCents = roundTo(r < 0.15 ? a.priceCents * 13 / 10 : r < 0.20 ? a.priceCents * 8 / 10 : a.priceCents, 100);
    } else if (!a.annual) {
      double r = rnd.nextDouble();
      a.priceCents = roundTo(r < 0.02 ? a.priceCents * 5 / 4 : r < 0.03 ? a.priceCents * 3 / 4 : a.priceCents, 100);
    }
    LocalDate periodEnd = a.annual ? date.plusYears(1) : date.plusMonths(1);
    long amount = a.annual ? a.priceCents * 10 : a.priceCents; // annual: two months free
    String invoice = "inv-" + next();
    String line = "L" + next();
    String tail = a.currency + ",recurring," + money(amount) + "," + date + "," + periodEnd;
    String issued = ts(1);
    csv(LINES, LINES_H, line + "," + invoice + "," + a.id + "," + a.subId + ",open," + issued + "," + tail + "," + issued);
    if (rnd.nextDouble() < 0.01) {
      oneTime(a, invoice, -roundTo(amount / 10, 100), "credit");
    }
    if (a.annual) {
      writeAccount(a, periodEnd);
    }
    a.nextBill = day + (int) (periodEnd.toEpochDay() - date.toEpochDay());
    boolean ok = rnd.nextDouble() < clamp(0.93 + 0.035 * a.health, 0.70, 0.995);
    charge(a, invoice, amount, 1, ok);
    if (ok) {
      csv(LINES, LINES_H, line + "," + invoice + "," + a.id + "," + a.subId + ",paid," + issued + "," + tail + "," + ts(2));
      maybeRefund(a, invoice, amount);
    } else {
      a.dunNext = day + DUNNING_GAPS[0];
      a.dunAttempt = 1;
      a.dunInvoice = invoice;
      a.dunLine = line;
      a.dunAmount = amount;
      a.dunLineCsvTail = tail;
      a.dunIssued = issued;
      writeSub(a, "past_due", null, null, null);
    }
    // Decide now whether the customer leaves at the end of this period (voluntary churn).
    double monthly = CHURN_BASE[a.seg] * Math.exp(-0.9 * a.health);
    double hazard = a.annual ? 1 - Math.pow(1 - monthly, 12) : monthly;
    if (rnd.nextDouble() < hazard) {
      double r = rnd.nextDouble();
      a.cancelAtNextBill = true;
      a.cancelReason = r < 0.75 ? "customer_request" : r < 0.88 ? "other" : null;
      a.canceledAt = ts(3);
      writeSub(a, "active", a.canceledAt, null, a.cancelReason);
    }
  }

  private void dunning(Acct a) {
    a.dunAttempt++;
    boolean ok = rnd.nextDouble() < 0.45;
    charge(a, a.dunInvoice, a.dunAmount, a.dunAttempt, ok);
    String prefix = a.dunLine + "," + a.dunInvoice + "," + a.id + "," + a.subId + ",";
    if (ok) {
      csv(LINES, LINES_H, prefix + "paid," + a.dunIssued + "," + a.dunLineCsvTail + "," + ts(5));
      a.dunNext = -1;
      writeSub(a, "active", a.canceledAt, null, a.cancelReason);
    } else if (a.dunAttempt >= 4) {
      csv(LINES, LINES_H, prefix + "uncollectible," + a.dunIssued + "," + a.dunLineCsvTail + "," + ts(5));
      a.dunNext = -1;
      end(a, rnd.nextDouble() < 0.65 ? "payment_failed" : null, "canceled");
    } else {
      a.dunNext = day + DUNNING_GAPS[Math.min(a.dunAttempt - 1, DUNNING_GAPS.length - 1)];
    }
  }

  private void end(Acct a, String reason, String status) {
    a.active = false;
    a.cancelAtNextBill = false;
    a.nextBill = -1;
    a.dunNext = -1;
    writeSub(a, status, a.canceledAt == null ? ts(0) : a.canceledAt, ts(0), reason);
  }

  private void upgradeMidCycle(Acct a) {
    int remaining = a.nextBill - day;
    long newPrice = roundTo(a.priceCents * 3 / 2, 100);
    if (remaining > 0 && remaining < 27) {
      String invoice = "inv-" + next();
      long prorated = (newPrice - a.priceCents) * remaining / 30;
      csv(LINES, LINES_H, "L" + next() + "," + invoice + "," + a.id + "," + a.subId + ",paid," + ts(4) + "," + a.currency
          + ",recurring," + money(prorated) + "," + date + "," + date.plusDays(remaining) + "," + ts(4));
      charge(a, invoice, prorated, 1, true);
    }
    a.priceCents = newPrice;
  }

  private void oneTime(Acct a, String invoice, long amount, String what) {
    csv(LINES, LINES_H, "L" + next() + "," + invoice + "," + a.id + ",,paid," + ts(1) + "," + a.currency + ",one_time,"
        + money(amount) + ",,," + ts(1));
  }

  private void charge(Acct a, String invoice, long amount, int attempt, boolean ok) {
    String processor = a.currency.equals("USD") ? "stripe" : "adyen";
    json(PAYMENTS, "jsonl", "{\"event_id\":\"E" + next() + "\",\"account_id\":\"" + a.id + "\",\"invoice_id\":\"" + invoice
        + "\",\"event_type\":\"charge\",\"status\":\"" + (ok ? "succeeded" : "failed") + "\",\"amount\":" + money(amount)
        + ",\"currency\":\"" + a.currency + "\",\"occurred_at\":\"" + ts(2) + "\",\"processor\":\"" + processor + "\""
        + (ok ? "" : ",\"decline_code\":\"" + DECLINES[rnd.nextInt(DECLINES.length)] + "\"")
        + ",\"attempt_number\":" + attempt + "}");
  }

  private void maybeRefund(Acct a, String invoice, long amount) {
    double r = rnd.nextDouble();
    if (r < 0.010 || r > 0.9985) {
      String type = r < 0.010 ? "refund" : "chargeback";
      long refunded = type.equals("refund") ? roundTo(amount / 4, 100) : amount;
      int when = day + 2 + rnd.nextInt(20);
      String processor = a.currency.equals("USD") ? "stripe" : "adyen";
      String id = "E" + next();
      later.computeIfAbsent(when, k -> new ArrayList<>()).add(() -> json(PAYMENTS, "jsonl", "{\"event_id\":\"" + id
          + "\",\"account_id\":\"" + a.id + "\",\"invoice_id\":\"" + invoice + "\",\"event_type\":\"" + type
          + "\",\"status\":\"succeeded\",\"amount\":" + money(refunded) + ",\"currency\":\"" + a.currency
          + "\",\"occurred_at\":\"" + ts(6) + "\",\"processor\":\"" + processor + "\"}"));
    }
  }

  private void engagement(Acct a, int days) {
    double risk = a.cancelAtNextBill || a.dunNext >= 0 ? 1.6 : 1.0;
    if (rnd.nextDouble() < TICKETS_PER_MONTH[a.seg] * Math.exp(-0.5 * a.health) * risk / 30) {
      ticket(a);
    }
    if (rnd.nextDouble() < ACTIVITIES_PER_MONTH[a.seg] * Math.exp(0.4 * a.health) / risk / 30) {
      int role = rnd.nextDouble() < 0.15 + 0.1 * a.health ? 0 : 1 + rnd.nextInt(3);
      json(ACTIVITIES, "jsonl", "{\"activity_id\":\"C" + next() + "\",\"account_id\":\"" + a.id + "\",\"activity_type\":\""
          + ACTIVITY_TYPES[rnd.nextInt(ACTIVITY_TYPES.length)] + "\",\"contact_role\":\"" + ROLES[role]
          + "\",\"occurred_at\":\"" + ts(7) + "\"}");
    }
    if (rnd.nextDouble() < 0.02 / 30) {
      a.owner = "am" + (1 + rnd.nextInt(40));
      writeAccount(a, null);
    }
    if (day >= days - p.usageDays()) {
      double util = clamp(0.55 + 0.15 * a.health + 0.08 * rnd.nextGaussian() - (risk > 1 ? 0.2 : 0), 0, 1);
      w.usage(a.id, date, (int) Math.round(a.seats * util), a.seats);
    }
  }

  private void ticket(Acct a) {
    String id = "T" + next();
    String created = ts(8);
    String priority = PRIORITIES[Math.min(3, (int) Math.floor(Math.abs(rnd.nextGaussian()) * 1.3))];
    boolean escalated = rnd.nextDouble() < 0.08 * Math.exp(-0.6 * a.health);
    json(TICKETS, "json", ticketJson(a, id, created, null, null, priority, escalated, null, created));
    int solveDays = rnd.nextInt(6);
    int responseHours = 1 + rnd.nextInt(30);
    Integer csat = rnd.nextDouble() < 0.6 ? (int) clamp(Math.round(3.9 + 0.7 * a.health + 0.6 * rnd.nextGaussian()), 1, 5) : null;
    LocalDate createdDate = date;
    later.computeIfAbsent(day + 1 + solveDays, k -> new ArrayList<>()).add(() -> {
      String responded = createdDate.plusDays(1) + "T" + String.format(Locale.ROOT, "%02d", responseHours % 9) + ":15:00Z";
      String solved = ts(9);
      json(TICKETS, "json", ticketJson(a, id, created, responded, solved, priority, escalated, csat, solved));
    });
  }

  private static String ticketJson(Acct a, String id, String created, String responded, String solved, String priority,
      boolean escalated, Integer csat, String updated) {
    return "{\"ticket_id\":\"" + id + "\",\"account_id\":\"" + a.id + "\",\"created_at\":\"" + created + "\""
        + ",\"first_response_at\":" + q(responded) + ",\"solved_at\":" + q(solved) + ",\"priority\":\"" + priority
        + "\",\"escalated\":" + escalated + ",\"csat_score\":" + (csat == null ? "null" : csat) + ",\"updated_at\":\"" + updated + "\"}";
  }

  private void writeAccount(Acct a, LocalDate renewal) {
    String created = p.start().plusDays(a.signupDay) + "T00:00:00Z";
    String segment = rnd.nextDouble() < 0.5 ? SEGMENTS[a.seg] : SEGMENT_SPELLING[a.seg];
    csv(ACCOUNTS, ACCOUNTS_H, a.id + ",\"Account " + a.id.substring(1) + ", Inc.\",billing@" + a.id.toLowerCase(Locale.ROOT)
        + ".example.com," + segment + "," + a.region + "," + a.industry + "," + (a.owner == null ? "" : a.owner) + ","
        + created + "," + (renewal == null ? "" : renewal) + "," + versionTs());
  }

  private void writeSub(Acct a, String status, String canceledAt, String endedAt, String reason) {
    csv(SUBSCRIPTIONS, SUBS_H, a.subId + "," + a.id + "," + (a.annual ? "annual-" : "monthly-") + SEGMENTS[a.seg] + ","
        + status + "," + a.subStarted + "," + n(canceledAt) + "," + n(endedAt) + "," + n(reason) + "," + versionTs());
  }

  /** Writes a CSV row, now and then deliberately broken (see the class comment). */
  private void csv(String feed, List<String> header, String line) {
    if (rnd.nextDouble() < p.badRate()) {
      String[] f = line.split(",", -1);
      if (f.length == header.size()) {
        String kind = corrupt(feed, header, f);
        bad.merge(kind, 1L, Long::sum);
        if (kind.equals("duplicate")) {
          w.csv(feed, header, line);
        } else {
          line = String.join(",", f);
        }
      }
    }
    w.csv(feed, header, line);
  }

  private String corrupt(String feed, List<String> header, String[] f) {
    double r = rnd.nextDouble();
    int amount = header.indexOf("amount");
    int status = Math.max(header.indexOf("status"), header.indexOf("invoice_status"));
    int updated = header.indexOf("updated_at");
    if (r < 0.25 && updated >= 0) {
      f[updated] = "2024-02-30T25:61:00Z";
      return "bad_date";
    } else if (r < 0.45 && amount >= 0) {
      f[amount] = "12.3O";
      return "non_numeric_amount";
    } else if (r < 0.65 && status >= 0) {
      f[status] = "actve";
      return "unknown_enum";
    } else if (r < 0.85) {
      f[0] = "";
      return "missing_required";
    }
    return "duplicate";
  }

  private void json(String feed, String ext, String line) {
    if (rnd.nextDouble() < p.badRate()) {
      double r = rnd.nextDouble();
      if (r < 0.3) {
        bad.merge("duplicate", 1L, Long::sum);
        w.json(feed, ext, line);
      } else if (r < 0.6) {
        bad.merge("missing_required", 1L, Long::sum);
        line = line.replaceFirst("\"account_id\":\"[^\"]*\"", "\"account_id\":null");
      } else if (r < 0.8) {
        bad.merge("bad_date", 1L, Long::sum);
        line = line.replaceFirst("(\"(occurred|created)_at\":\")[^\"]*\"", "$1yesterday\"");
      } else {
        bad.merge("unknown_enum", 1L, Long::sum);
        line = line.replaceFirst("\"status\":\"[^\"]*\"", "\"status\":\"pending?\"")
            .replaceFirst("\"priority\":\"[^\"]*\"", "\"priority\":\"p0\"")
            .replaceFirst("\"contact_role\":\"[^\"]*\"", "\"contact_role\":\"cfo\"");
      }
    }
    w.json(feed, ext, line);
  }

  /** Copies one day's invoice lines into a later delivery under a new name: same content, must not count twice. */
  private void redeliver(LocalDate midpoint, LocalDate to) {
    LocalDate from = midpoint;
    while (!from.isBefore(p.start()) && !Files.exists(p.out().resolve(LINES).resolve("dt=" + from).resolve("part-" + from + ".csv"))) {
      from = from.minusDays(1);
    }
    Path src = p.out().resolve(LINES).resolve("dt=" + from).resolve("part-" + from + ".csv");
    if (Files.exists(src)) {
      try {
        Path dst = p.out().resolve(LINES).resolve("dt=" + to).resolve("redelivery-of-" + from + ".csv");
        Files.createDirectories(dst.getParent());
        Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
        bad.merge("redelivered_file", 1L, Long::sum);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private String ts(int salt) {
    int secs = (int) (Math.abs((seq * 31 + salt * 7919L + day) % 3600)) + salt * 3600;
    return date + String.format(Locale.ROOT, "T%02d:%02d:%02dZ", Math.min(23, secs / 3600), (secs / 60) % 60, secs % 60);
  }

  /** updated_at of CRM and subscription versions: strictly increasing within a day (12:00 + n ms). */
  private String versionTs() {
    long ms = versionCounter++;
    return date + String.format(Locale.ROOT, "T%02d:%02d:%02d.%03dZ", 12 + ms / 3_600_000, (ms / 60_000) % 60, (ms / 1000) % 60, ms % 1000);
  }

  private long next() {
    return ++seq;
  }

  private static String n(String s) {
    return s == null ? "" : s;
  }

  private static String q(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static long roundTo(long cents, long unit) {
    return Math.round((double) cents / unit) * unit;
  }

  static String money(long cents) {
    String sign = cents < 0 ? "-" : "";
    long abs = Math.abs(cents);
    return sign + abs / 100 + "." + String.format(Locale.ROOT, "%02d", abs % 100);
  }

  private static String fmt8(double v) {
    return String.format(Locale.ROOT, "%.8f", v);
  }
}
