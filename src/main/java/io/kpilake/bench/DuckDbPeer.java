package io.kpilake.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The DuckDB peer of the bench: the revenue core of the KPI contract written a second time in DuckDB
 * SQL ({@code bench/duckdb-revenue-core.sql}), reading the landing files directly. It is timed next
 * to the Spark pipeline and its {@code account_mrr_monthly} is compared with the Spark run's, row for
 * row. Plain JDBC: the DuckDB driver ({@code org.duckdb:duckdb_jdbc}, test scope) is on the class
 * path of the tests and of {@code bin/kpi bench} only; the product neither compiles nor ships with it.
 */
public final class DuckDbPeer {
  /** The contract's columns of kpi.account_mrr_monthly, in order: what the comparison looks at. */
  public static final String COLUMNS = "account_id, month, cohort_month, segment, region, owner, mrr, arr, prev_mrr, "
      + "mrr_at_prev_rates, movement, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr, fx_impact_mrr, "
      + "churn_type";
  private static final String SCRIPT = "/bench/duckdb-revenue-core.sql";
  /** The statements that read and validate the feeds; the rest is the computation. */
  private static final List<String> LOAD_TABLES = List.of("fx", "fx_first", "lines", "subs", "accounts", "charges");

  /** Timings of one run: reading and validating the feeds, then computing the revenue core. */
  public record Timing(double loadSeconds, double computeSeconds, long rows) {
    public double totalSeconds() {
      return loadSeconds + computeSeconds;
    }
  }

  /** A row-for-row comparison: rows in each, and the rows only one side has (with a few examples). */
  public record Comparison(long peerRows, long sparkRows, long onlyInPeer, long onlyInSpark, List<String> examples) {
    public boolean identical() {
      return onlyInPeer == 0 && onlyInSpark == 0;
    }
  }

  private final Connection db;

  private DuckDbPeer(Connection db) {
    this.db = db;
  }

  /**
   * An in-memory DuckDB with {@code threads} threads and a memory limit; it spills to {@code spill}
   * beyond it.
   */
  public static DuckDbPeer open(int threads, String memoryLimit, Path spill) throws SQLException {
    Connection c;
    try {
      c = DriverManager.getConnection("jdbc:duckdb:");
    } catch (SQLException e) {
      throw new SQLException("the DuckDB JDBC driver is not on the class path (bin/kpi bench adds target/bench-classpath.txt, "
          + "written by 'mvn package'): " + e.getMessage(), e);
    }
    try (Statement s = c.createStatement()) {
      s.execute("SET threads = " + threads);
      s.execute("SET memory_limit = '" + memoryLimit.replace("'", "") + "'");
      s.execute("SET temp_directory = '" + spill.toAbsolutePath().toString().replace("'", "''") + "'");
      s.execute("SET TimeZone = 'UTC'");
    }
    return new DuckDbPeer(c);
  }

  /** Runs the revenue core as of {@code asOf} over the landing files (a local directory). */
  public Timing run(Path landing, LocalDate asOf, String reportingCurrency, int churnWindowDays) throws SQLException, IOException {
    double load = 0;
    double compute = 0;
    try (Statement s = db.createStatement()) {
      for (String statement : statements(landing, asOf, reportingCurrency, churnWindowDays)) {
        long t = System.nanoTime();
        s.execute(statement);
        double secs = (System.nanoTime() - t) / 1e9;
        if (LOAD_TABLES.contains(createdTable(statement))) {
          load += secs;
        } else {
          compute += secs;
        }
      }
      return new Timing(load, compute, count(s, "SELECT count(*) FROM account_mrr_monthly"));
    }
  }

  /**
   * Compares the peer's account_mrr_monthly with the Spark run's, exported as Parquet files under
   * {@code sparkParquet}: every row (all contract columns) must be in both, as many times.
   */
  public Comparison compare(Path sparkParquet) throws SQLException {
    String spark = "spark_account_mrr_monthly";
    String peer = "(SELECT " + COLUMNS + " FROM account_mrr_monthly)";
    try (Statement s = db.createStatement()) {
      // The Spark export is read once into a table: both EXCEPT ALLs and the row count use it.
      s.execute("CREATE OR REPLACE TABLE " + spark + " AS SELECT " + COLUMNS + " FROM read_parquet('"
          + sparkParquet.toAbsolutePath().toString().replace("'", "''") + "/*.parquet')");
      s.execute("CREATE OR REPLACE TABLE only_in_peer AS SELECT * FROM " + peer + " EXCEPT ALL SELECT * FROM " + spark);
      s.execute("CREATE OR REPLACE TABLE only_in_spark AS SELECT * FROM " + spark + " EXCEPT ALL SELECT * FROM " + peer);
      List<String> examples = new ArrayList<>();
      for (String side : List.of("only_in_peer", "only_in_spark")) {
        try (ResultSet r = s.executeQuery("SELECT * FROM " + side + " ORDER BY account_id, month LIMIT 3")) {
          while (r.next()) {
            StringBuilder b = new StringBuilder(side).append(':');
            for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
              b.append(' ').append(r.getMetaData().getColumnName(i)).append('=').append(r.getString(i));
            }
            examples.add(b.toString());
          }
        }
      }
      return new Comparison(count(s, "SELECT count(*) FROM account_mrr_monthly"), count(s, "SELECT count(*) FROM " + spark),
          count(s, "SELECT count(*) FROM only_in_peer"), count(s, "SELECT count(*) FROM only_in_spark"), List.copyOf(examples));
    }
  }

  /** A query's rows, each as its values joined by " | " (for tests). */
  List<String> query(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        List<String> v = new ArrayList<>();
        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
          v.add(r.getString(i));
        }
        rows.add(String.join(" | ", v));
      }
    }
    return rows;
  }

  public void close() throws SQLException {
    db.close();
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** The script's statements with the placeholders filled, comments-only chunks left out. */
  static List<String> statements(Path landing, LocalDate asOf, String reportingCurrency, int churnWindowDays) throws IOException {
    if (!reportingCurrency.matches("[A-Z]{3}")) {
      throw new IllegalArgumentException("reporting currency must be three capital letters, got '" + reportingCurrency + "'");
    }
    String script;
    try (InputStream in = DuckDbPeer.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IOException("missing class-path resource " + SCRIPT);
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    script = script.replace("${landing}", landing.toAbsolutePath().toString().replace("'", "''"))
        .replace("${as_of}", asOf.toString())
        .replace("${reporting}", reportingCurrency)
        .replace("${window_days}", Integer.toString(churnWindowDays));
    List<String> out = new ArrayList<>();
    for (String chunk : script.split(";[ \\t]*\\R")) {
      if (!chunk.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--"))) {
        out.add(chunk.strip());
      }
    }
    return out;
  }

  /** The table a {@code CREATE OR REPLACE TABLE x AS ...} statement makes, or "". */
  private static String createdTable(String statement) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("CREATE OR REPLACE TABLE (\\w+)").matcher(statement);
    return m.find() ? m.group(1) : "";
  }
}
