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
  void aRefusedFileExitsThree() throws Exception {
    deliver("crm/accounts", "2024-01-01", "a.csv", "account_id,segment", "A1,smb");
    Path conf = tmp.resolve("run.conf");
    Files.writeString(conf, "kpi.landing.path = \"" + landing() + "\"\nkpi.warehouse.path = \"" + tmp.resolve("wh") + "\"\n");
    assertEquals(3, run("nightly", "--as-of", "2024-01-31", "--conf", conf.toString()));
    assertTrue(firstErrLine().startsWith("kpi: quality gate failed: 1 landing file(s) refused, nothing published: "), firstErrLine());
    assertTrue(firstErrLine().endsWith("a.csv: missing required column updated_at"), firstErrLine());
  }
}
