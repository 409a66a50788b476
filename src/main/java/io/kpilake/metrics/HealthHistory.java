package io.kpilake.metrics;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.kpilake.config.KpiConfig.HealthSettings;
import io.kpilake.contract.AccountKpiTables;
import io.kpilake.contract.FeedSpec;
import io.kpilake.contract.Feeds;
import io.kpilake.ops.RunContext;
import io.kpilake.publish.Publisher;
import io.kpilake.spark.Warehouse;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * An incremental night's account health (issue #27). A health snapshot S is point in time: it reads
 * only what was known at the end of day S. So the month-end snapshots a previous publication (as of
 * {@code P}) holds stay right for every account whose inputs did not change in a way that reaches a
 * day on or before P; a night as of {@code D > P} computes the snapshots after P for every account,
 * and every snapshot only for the accounts such a change reaches ({@link #plan}).
 *
 * <p>A silver row ingested after the publication reaches the history when:
 * <ul>
 *   <li>point-in-time feeds (accounts, subscriptions, invoice lines, tickets: read as the version in
 *       force at S): its version is valid from P or earlier. A later version leaves the history
 *       alone: the version it replaces stays in force at every S up to P. Every account any version
 *       of its key belongs to is affected (a correction may move a line to another account).</li>
 *   <li>current-state feeds (activities, payment events: read as their latest version): any
 *       version of its key happened on or before P (the new one, or the one it replaces);</li>
 *   <li>usage (its date is part of its key): its usage date is P or earlier.</li>
 * </ul>
 * Everything is recomputed when there is no publication to build on, the as-of date is not after
 * it, the policy, the application version or the SQL models changed, an FX rate of a day up to P (or a currency's
 * first rate) arrived, the tickets feed appeared, or more than {@code kpi.ops.incremental.
 * max-affected-share} of the published accounts are affected.
 */
public final class HealthHistory {
  private HealthHistory() {}

  /** Point-in-time feeds: any version valid from P or earlier changes the history. */
  private static final List<FeedSpec> POINT_IN_TIME = List.of(Feeds.ACCOUNTS, Feeds.SUBSCRIPTIONS, Feeds.INVOICE_LINES, Feeds.TICKETS);
  /** Current-state feeds and the day each record happened. */
  private static final Map<FeedSpec, String> CURRENT_STATE = Map.of(
      Feeds.ACTIVITIES, "to_date(occurred_at)", Feeds.PAYMENT_EVENTS, "to_date(occurred_at)");

  /**
   * What a night reuses: the published as-of date P, the accounts whose whole history is
   * recomputed, and the published rows kept (month ends up to P of the other accounts).
   */
  public record Reuse(LocalDate publishedAsOf, List<String> affected, Dataset<Row> kept, long historyVersion,
      SupportMetrics.Published support) {
    /** Without the published support table (the support months are recomputed whole). */
    public Reuse(LocalDate publishedAsOf, List<String> affected, Dataset<Row> kept, long historyVersion) {
      this(publishedAsOf, affected, kept, historyVersion, null);
    }

    private Column isAffected(String accountCol) {
      return among(affected, accountCol);
    }

    private String p() {
      return "date'" + publishedAsOf + "'";
    }

    /** True for the (account, snapshot) pairs this night computes: every snapshot after P, and every snapshot of the affected accounts. */
    Column computed() {
      return expr("snapshot_date > " + p()).or(isAffected("account_id"));
    }

    /** {@code rows} without the records no computed snapshot can read ({@code dayExpr} at least {@code days} before P). */
    Dataset<Row> recent(Dataset<Row> rows, String dayExpr, int days) {
      return rows.filter(isAffected("account_id").or(expr(dayExpr + " > date_sub(" + p() + ", " + days + ")")));
    }

    /**
     * The signal inputs narrowed to what the computed snapshots read. Activities stay whole: last touch
     * needs every one (it is the latest); the roles engaged narrow them with {@link #recent}
     * ({@link AccountKpis#compute}).
     */
    AccountKpis.Inputs narrow(AccountKpis.Inputs in, HealthSettings h) {
      int usage = Math.max(h.signal("seat_utilization").windowDays(), 2 * h.signal("usage_trend").windowDays());
      int support = Math.max(h.signal("tickets_90d").windowDays(),
          Math.max(h.signal("escalations_90d").windowDays(), h.signal("csat_90d").windowDays()));
      return new AccountKpis.Inputs(
          recent(in.lineVersions(), "period_end", h.signal("mrr_change_90d").windowDays()),
          in.subVersions(), in.accountVersions(),
          recent(in.ticketVersions(), "greatest(to_date(created_at), coalesce(to_date(solved_at), to_date(created_at)))", support),
          in.activities(),
          recent(in.usage(), "usage_date", usage),
          recent(in.payments(), "to_date(occurred_at)", h.signal("payment_success_90d").windowDays()),
          in.ticketsFeedPresent());
    }

    /**
     * The kept rows' scores that a computed snapshot compares with (score_change_1m: the month before
     * its own). Computed snapshots of an account with kept rows come after P, so only the kept months
     * from the one before month(P) on can be a month before one of them; the older ones would only be
     * shuffled (1.6 million rows at tier M) to meet nothing.
     */
    Dataset<Row> keptScores() {
      return kept.filter(expr("snapshot_date >= add_months(trunc(" + p() + ", 'MM'), -1)"))
          .select(col("account_id"), expr("trunc(snapshot_date, 'MM')").as("month"), col("health_score"));
    }

    /**
     * How the night publishes {@code health} (its whole table, {@link #withKept}): when no account is
     * affected, by replacing the published rows from P' on with the computed snapshots, where P' is
     * P, or the day after P when P is a month end. The published table (at {@link #historyVersion})
     * holds the month ends up to P and P itself, so what stays is exactly the kept rows; the table is
     * laid out by snapshot date, so the commit rewrites only the file(s) that hold P (tier M: 52,540
     * new rows and one rewritten file of 156,329, instead of 1.6 million rows). Null (replace the
     * table whole) when some account is affected: its rows are in every file, which a partial
     * replacement would read and rewrite, a whole replacement only writes.
     */
    public Publisher.Replacement replacement(Dataset<Row> health) {
      if (!affected.isEmpty()) {
        return null;
      }
      LocalDate from = publishedAsOf.equals(publishedAsOf.withDayOfMonth(publishedAsOf.lengthOfMonth()))
          ? publishedAsOf.plusDays(1) : publishedAsOf;
      return new Publisher.Replacement("snapshot_date >= DATE'" + from + "'", computedOf(health), historyVersion);
    }

    /** The snapshots of {@code health} (the night's whole table, {@link #withKept}) that the night computed. */
    public Dataset<Row> computedOf(Dataset<Row> health) {
      return health.filter(computed());
    }

    /** The computed snapshots and the kept ones: the night's whole table. */
    Dataset<Row> withKept(Dataset<Row> computed) {
      return computed.unionByName(kept.withColumn("month", expr("trunc(snapshot_date, 'MM')")), true);
    }
  }

  /** A reuse, or the reason the night recomputes every snapshot. */
  public record Plan(Reuse reuse, String reason) {
    static Plan full(String reason) {
      return new Plan(null, reason);
    }

    public String describe() {
      return reuse == null ? "health history recomputed: " + reason
          : "health history kept up to " + reuse.publishedAsOf() + " except for " + reuse.affected().size() + " account(s) with changes reaching it";
    }
  }

  /**
   * Decides how much of the published health history a night as of {@code run.asOf()} keeps.
   * {@code silver} gives each feed's silver table (every version). One Spark job for the changed
   * rows of all feeds, one for the published accounts.
   */
  public static Plan plan(Warehouse wh, Publisher.Publication published, RunContext run, Function<FeedSpec, Dataset<Row>> silver,
      double maxShare) {
    if (maxShare <= 0) {
      return Plan.full("kpi.ops.incremental.max-affected-share is 0");
    }
    if (published == null || published.publishedAt() == null) {
      return Plan.full("no earlier publication");
    }
    LocalDate p = published.asOf();
    if (!run.asOf().isAfter(p)) {
      return Plan.full("as-of date " + run.asOf() + " is not after the published " + p);
    }
    String table = AccountKpiTables.ACCOUNT_HEALTH.name();
    Long version = published.versions().get(table);
    if (version == null) {
      return Plan.full("no published account health");
    }
    Map<String, String> props = wh.propertiesAt("kpi", table, version);
    // The published inputs (kpi.inputs) name the SQL models' hash: a changed model file recomputes
    // what it defines (the support months kept below are one).
    if (!run.policyHash().equals(props.get("kpi.policy_hash")) || !run.appVersion().equals(props.get("kpi.app_version"))
        || !KpiJob.sameModels(props.get("kpi.inputs"))) {
      return Plan.full("the policy, the application version or the SQL models changed since the published run");
    }
    List<Row> changes = changes(silver, published.publishedAt(), p).collectAsList();
    if (changes.stream().anyMatch(r -> r.getString(0).equals("fx"))) {
      return Plan.full("FX rates of days up to " + p + " (or a currency's first rate) arrived since the published run");
    }
    if (changes.stream().anyMatch(r -> r.getString(0).equals("tickets"))) {
      return Plan.full("the tickets feed appeared since the published run");
    }
    List<String> affected = changes.stream().map(r -> r.getString(1)).sorted().toList();
    Dataset<Row> history = wh.spark().read().format("delta").option("versionAsOf", version).load(wh.path("kpi", table));
    // The count reads one column; only the kept rows are checkpointed (lazily: the night's first use
    // fills it), so their two uses (their scores for score_change_1m, and the night's table) share one
    // filtered scan instead of holding the whole published history.
    long accounts = history.select("account_id").distinct().count();
    if (affected.size() > maxShare * accounts) {
      return Plan.full(affected.size() + " of " + accounts + " accounts have changes reaching their history (more than "
          + maxShare + ")");
    }
    Dataset<Row> kept = history.filter(expr("snapshot_date <= date'" + p + "' AND snapshot_date = last_day(snapshot_date)")
        .and(among(affected, "account_id").unary_$bang())).localCheckpoint(false);
    // The same publication's support table (same run, so the same policy): a night recomputes only
    // the months its changes reach (SupportMetrics).
    Long supportVersion = published.versions().get(AccountKpiTables.SUPPORT_MONTHLY.name());
    SupportMetrics.Published support = supportVersion == null ? null : new SupportMetrics.Published(
        wh.spark().read().format("delta").option("versionAsOf", supportVersion).load(wh.path("kpi", AccountKpiTables.SUPPORT_MONTHLY.name())),
        published.publishedAt(), p);
    return new Plan(new Reuse(p, affected, kept, version, support), null);
  }

  /** True where {@code accountCol} is one of {@code accounts}. */
  private static Column among(List<String> accounts, String accountCol) {
    return accounts.isEmpty() ? lit(false) : col(accountCol).isin(accounts.toArray());
  }

  /**
   * One row per finding, {@code (kind, account_id)}: {@code account} for every account whose history a
   * change since {@code publishedAt} reaches; {@code fx} / {@code tickets} for the changes that reach
   * everyone (no account). The keys ingested since the publication (a night's worth) are broadcast
   * to every version's silver rows: a shuffle of whole silver tables (10.6 million rows at tier M)
   * would cost more than the search.
   */
  static Dataset<Row> changes(Function<FeedSpec, Dataset<Row>> silver, java.sql.Timestamp publishedAt, LocalDate p) {
    Column since = col("_ingested_at").gt(lit(publishedAt));
    String upToP = " <= date'" + p + "'";
    Dataset<Row> out = null;
    for (FeedSpec f : POINT_IN_TIME) {
      Dataset<Row> s = silver.apply(f);
      Column[] key = f.key().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
      Dataset<Row> keys = s.filter(since.and(expr("_valid_from IS NULL OR to_date(_valid_from)" + upToP))).select(key).distinct();
      out = union(out, s.join(broadcast(keys), asSeq(f.key())).select(lit("account").as("kind"), col("account_id")));
    }
    for (Map.Entry<FeedSpec, String> e : CURRENT_STATE.entrySet()) {
      FeedSpec f = e.getKey();
      Dataset<Row> s = silver.apply(f);
      Column[] key = f.key().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
      Dataset<Row> keys = s.filter(since).select(key).distinct();
      Dataset<Row> touched = s.join(broadcast(keys), asSeq(f.key()))
          .withColumn("_day", expr(e.getValue()))
          .withColumn("_reaches", expr("min(coalesce(_day, date'0001-01-01')) OVER (PARTITION BY " + String.join(", ", f.key()) + ")" + upToP))
          .filter(col("_reaches"));
      out = union(out, touched.select(lit("account").as("kind"), col("account_id")));
    }
    out = union(out, silver.apply(Feeds.USAGE_DAILY).filter(since.and(expr("usage_date" + upToP)))
        .select(lit("account").as("kind"), col("account_id")));
    Dataset<Row> fx = silver.apply(Feeds.FX_RATES);
    Dataset<Row> knownCurrencies = fx.filter(since.unary_$bang()).select("currency").distinct();
    Dataset<Row> fxNew = fx.filter(since);
    out = union(out, fxNew.filter(expr("rate_date" + upToP))
        .unionByName(fxNew.join(knownCurrencies, asSeq(List.of("currency")), "left_anti"))
        .select(lit("fx").as("kind"), lit(null).cast("string").as("account_id")));
    out = union(out, silver.apply(Feeds.TICKETS).agg(org.apache.spark.sql.functions.count_if(since.unary_$bang()).as("_old"), expr("count(*)").as("_all"))
        .filter("_old = 0 AND _all > 0").select(lit("tickets").as("kind"), lit(null).cast("string").as("account_id")));
    return out.distinct();
  }

  private static Dataset<Row> union(Dataset<Row> a, Dataset<Row> b) {
    return a == null ? b : a.unionByName(b);
  }

  private static scala.collection.immutable.Seq<String> asSeq(List<String> cols) {
    return scala.jdk.javaapi.CollectionConverters.asScala(cols).toList();
  }
}
