package io.kpilake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.SparkTestBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Exit statuses and the one-line error of the command line, run in this JVM. */
class MainTest extends SparkTestBase {
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(new PrintWriter(err, true), args);
  }

  private String firstErrLine() {
    return err.toString().lines().findFirst().orElse("");
  }

  @Test
  void missingOrBadArgumentsExitTwoNamingTheArgument() {
    assertEquals(2, run("nightly"));
    assertEquals("kpi: Missing required option: '--as-of=YYYY-MM-DD'", firstErrLine());
    err.getBuffer().setLength(0);
    assertEquals(2, run("nightly", "--as-of", "2024-13-01"));
    assertTrue(firstErrLine().startsWith("kpi: Invalid value for option '--as-of'"), firstErrLine());
    err.getBuffer().setLength(0);
    assertEquals(2, run("frobnicate"));
  }

  @Test
  void everyCommandAnswersHelpWithItsUsageAndExitZero() {
    for (String command : new String[] {"nightly", "backfill", "sql", "serve", "dictionary", "bench", "generate", "demo"}) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.io.PrintStream saved = System.out;
      System.setOut(new java.io.PrintStream(out, true));
      int code;
      try {
        code = run(command, "--help");
      } finally {
        System.setOut(saved);
      }
      assertEquals(0, code, command + ": " + err);
      assertTrue(out.toString().startsWith("Usage: kpi " + command), command + ": " + out);
    }
    assertEquals("", err.toString());
  }

  @Test
  void asOfTakesADateOrYesterdayInUtc() {
    AsOfConverter c = new AsOfConverter();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    assertEquals(LocalDate.of(2026, 2, 28), c.convert("2026-02-28"));
    assertEquals(today.minusDays(1), c.convert("yesterday"));
    assertEquals(today, c.convert("today"));
  }

  @Test
  void configurationErrorsExitTwoNamingTheKey() throws Exception {
    Path conf = tmp.resolve("bad.conf");
    Files.writeString(conf, "kpi.spark.shuffle-partitions = -1\n");
    assertEquals(2, run("sql", "SELECT 1", "--conf", conf.toString()));
    assertEquals("kpi: configuration error: configuration key 'kpi.spark.shuffle-partitions' has bad value -1: expected a whole number >= 1",
        firstErrLine());
  }

  @Test
  void aNightlyBeforeThePublishedAsOfDateIsRefusedUnlessRewound() throws Exception {
    deliver("billing/invoice_lines", "2024-01-01", "l.csv",
        "line_id,invoice_id,account_id,subscription_id,invoice_status,issued_at,currency,line_type,amount,period_start,period_end,updated_at",
        "L1,I1,A,SA,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z");
    Path conf = tmp.resolve("run.conf");
    Files.writeString(conf, "kpi.landing.path = \"" + landing() + "\"\nkpi.warehouse.path = \"" + tmp.resolve("wh") + "\"\n");
    assertEquals(0, run("nightly", "--as-of", "2024-01-31", "--conf", conf.toString()), err.toString());
    io.kpilake.spark.Warehouse wh = new io.kpilake.spark.Warehouse(spark(), tmp.resolve("wh").toString()).withoutCatalog();

    // A replayed old date: exit 2, one line naming the published date and backfill; nothing published.
    assertEquals(2, run("nightly", "--as-of", "2024-01-15", "--conf", conf.toString()));
    assertEquals("kpi: --as-of 2024-01-15 is before the as-of date of the published tables (2024-01-31): this nightly would "
        + "republish every kpi table as of 2024-01-15; use 'kpi backfill --from 2024-01-15 --to 2024-01-31' to restate history, "
        + "or --rewind to roll back", firstErrLine());
    assertEquals(LocalDate.parse("2024-01-31"), io.kpilake.publish.Publisher.publishedAsOf(wh));

    // Asked for: the tables are republished as of the earlier date.
    err.getBuffer().setLength(0);
    assertEquals(0, run("nightly", "--as-of", "2024-01-15", "--rewind", "--conf", conf.toString()), err.toString());
    assertEquals(LocalDate.parse("2024-01-15"), io.kpilake.publish.Publisher.publishedAsOf(wh));
  }

  @Test
  void aRefusedFileExitsThree() throws Exception {
    deliver("crm/accounts", "2024-01-01", "a.csv", "account_id,segment", "A1,smb");
    Path conf = tmp.resolve("run.conf");
    Files.writeString(conf, "kpi.landing.path = \"" + landing() + "\"\nkpi.warehouse.path = \"" + tmp.resolve("wh") + "\"\n");
    assertEquals(3, run("nightly", "--as-of", "2024-01-31", "--conf", conf.toString()));
    assertTrue(firstErrLine().startsWith("kpi: quality gate failed: 1 landing file(s) refused, nothing published: "), firstErrLine());
    assertTrue(firstErrLine().endsWith("a.csv: missing required column updated_at"), firstErrLine());
  }
}
