package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.SparkTestBase;
import java.awt.image.BufferedImage;
import java.io.File;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The nightly run's HTML report, rendered by headless Chromium (Debian's {@code chromium}; set
 * {@code KPI_CHROMIUM} for another binary) with the network shut off: the charts in the rendered
 * DOM carry the numbers an independent query of the published tables gives, bar heights are
 * proportional to them, and the screenshot shows the charts' colors.
 */
class ReportIT extends SparkTestBase {
  private static final Pattern ELEMENT = Pattern.compile("<(rect|circle|td|div|p)\\b([^>]*\\bdata-value=\"[^\"]*\"[^>]*)>");
  private static final Pattern ATTR = Pattern.compile("([a-z-]+)=\"([^\"]*)\"");

  @Test
  void theReportIsDrawnWithThePublishedNumbers() throws Exception {
    Reference ref = Reference.get();
    Path wh = ref.root.resolve("wh");
    Path report = wh.resolve("reports/kpi-report-" + Reference.LAST_DAY + ".html");
    assertTrue(Files.exists(report), "the nightly run writes " + report);
    String html = Files.readString(report);
    assertEquals(html, Files.readString(wh.resolve("reports/latest.html")));
    // The run drew it from the tables it had just computed; read back from the published table
    // versions (what a night with nothing to recompute does), the same page comes out.
    assertEquals(html, io.kpilake.publish.report.HtmlReport.render(
        io.kpilake.publish.report.ReportData.load(new io.kpilake.spark.Warehouse(spark(), wh.toString()))));
    // Self-contained: nothing to fetch.
    for (String banned : List.of("<script", "<link", "<img", "src=", "@import", "url(")) {
      assertFalse(html.contains(banned), "the report must not reference " + banned);
    }

    Path out = Files.createTempDirectory("kpi-report-render-");
    String dom = chromium(out, "--dump-dom", report.toUri().toString());
    Path png = out.resolve("report.png");
    chromium(out, "--screenshot=" + png, "--window-size=1200,3600", report.toUri().toString());
    List<Map<String, String>> drawn = elements(dom);

    // MRR bridge of March 2024, from the account grain (a different table than the bridge's source).
    Row m = spark().read().format("delta").load(wh.resolve("kpi/account_mrr_monthly").toString())
        .where("month = date'2024-03-01'")
        .selectExpr("sum(prev_mrr)", "sum(new_mrr)", "sum(expansion_mrr)", "sum(reactivation_mrr)", "sum(contraction_mrr)",
            "sum(churned_mrr)", "sum(fx_impact_mrr)", "sum(mrr)")
        .first();
    String[] keys = {"start", "new", "expansion", "reactivation", "contraction", "churned", "fx", "end"};
    double scale = Double.NaN;
    for (int i = 0; i < keys.length; i++) {
      BigDecimal expected = m.getDecimal(i);
      if (keys[i].equals("contraction") || keys[i].equals("churned")) {
        expected = expected.negate(); // drawn as decreases
      }
      Map<String, String> bar = find(drawn, "bridge", keys[i]);
      assertEquals(0, expected.compareTo(new BigDecimal(bar.get("data-value"))), keys[i] + ": " + bar);
      double perUnit = Double.parseDouble(bar.get("height")) / Math.max(Math.abs(expected.doubleValue()), 1e-9);
      if (expected.signum() != 0) {
        if (Double.isNaN(scale)) {
          scale = perUnit;
        }
        assertEquals(scale, perUnit, scale * 0.01, "bar height proportional to " + keys[i]);
      }
    }
    assertTrue(m.getDecimal(7).signum() > 0, "the reference has MRR in March");

    // Churned MRR by type and month, from the account grain again.
    for (Row r : spark().read().format("delta").load(wh.resolve("kpi/account_mrr_monthly").toString())
        .where("movement = 'churn'").groupBy("month", "churn_type").agg(org.apache.spark.sql.functions.sum("churned_mrr"))
        .collectAsList()) {
      Map<String, String> bar = find(drawn, r.getString(1), r.getDate(0).toString());
      assertEquals(0, r.getDecimal(2).compareTo(new BigDecimal(bar.get("data-value"))), bar.toString());
    }

    // Health buckets at the as-of snapshot.
    for (Row r : spark().sql("SELECT bucket, count(*) FROM delta.`" + wh.resolve("kpi/account_health")
        + "` WHERE snapshot_date = date'" + Reference.LAST_DAY + "' GROUP BY bucket").collectAsList()) {
      assertEquals(String.valueOf(r.getLong(1)), find(drawn, "buckets", r.getString(0)).get("data-value"));
    }

    // NRR of all segments, one-month window (the reference has three months, so 12- and 3-month windows are empty):
    // sum of March MRR of the accounts paying in February over their February MRR.
    Row nrr = spark().sql("SELECT CAST(sum(CASE WHEN prev_mrr > 0 THEN mrr END) AS DOUBLE) / CAST(sum(prev_mrr) AS DOUBLE) FROM delta.`"
        + wh.resolve("kpi/account_mrr_monthly") + "` WHERE month = date'2024-03-01'").first();
    assertTrue(html.contains("1-month NRR and GRR by segment"));
    assertEquals(nrr.getDouble(0), Double.parseDouble(find(drawn, "all", "2024-03-01").get("data-value")), 1e-9);

    // The biggest renewal at risk heads the table, with its owner.
    List<Row> top = spark().sql("SELECT account_id, owner FROM delta.`" + wh.resolve("kpi/value_at_risk")
        + "` WHERE at_risk ORDER BY arr DESC, account_id LIMIT 1").collectAsList();
    if (!top.isEmpty()) {
      Matcher first = Pattern.compile("<tr data-key=\"([^\"]+)\"><td>[^<]*</td><td>([^<]*)</td>").matcher(dom);
      assertTrue(first.find(), "the at-risk table is drawn");
      assertEquals(top.get(0).getString(0), first.group(1));
      assertEquals(top.get(0).getString(1), first.group(2));
    }

    // The screenshot is the page with its charts painted: the bridge's totals and increases, and a bucket color.
    BufferedImage img = ImageIO.read(png.toFile());
    assertTrue(img.getWidth() >= 1000 && img.getHeight() >= 3000, img.getWidth() + "x" + img.getHeight());
    Map<Integer, Integer> counts = new HashMap<>();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        counts.merge(img.getRGB(x, y) & 0xffffff, 1, Integer::sum);
      }
    }
    for (String color : List.of("#264653", "#2a9d8f")) {
      int pixels = counts.getOrDefault(Integer.parseInt(color.substring(1), 16), 0);
      assertTrue(pixels > 500, color + " painted on " + pixels + " pixels");
    }
    String someBucket = spark().sql("SELECT max(bucket) FROM delta.`" + wh.resolve("kpi/account_health") + "`").first().getString(0);
    int bucketPixels = counts.getOrDefault(Integer.parseInt(
        io.kpilake.publish.report.HtmlReport.bucketColor(someBucket).substring(1), 16), 0);
    assertTrue(bucketPixels > 200, someBucket + " bucket bar painted on " + bucketPixels + " pixels");
  }

  private static Map<String, String> find(List<Map<String, String>> drawn, String series, String key) {
    return drawn.stream().filter(e -> series.equals(e.get("data-series")) && key.equals(e.get("data-key"))).findFirst()
        .orElseThrow(() -> new AssertionError("no drawn element " + series + "/" + key));
  }

  private static List<Map<String, String>> elements(String dom) {
    List<Map<String, String>> out = new ArrayList<>();
    Matcher e = ELEMENT.matcher(dom);
    while (e.find()) {
      Map<String, String> attrs = new HashMap<>();
      Matcher a = ATTR.matcher(e.group(2));
      while (a.find()) {
        attrs.put(a.group(1), a.group(2));
      }
      out.add(attrs);
    }
    return out;
  }

  /** Runs headless Chromium with no network (every host name unresolvable) and returns its stdout. */
  static String chromium(Path work, String... args) throws Exception {
    String bin = System.getenv().getOrDefault("KPI_CHROMIUM", "/usr/bin/chromium");
    assertTrue(new File(bin).canExecute(), "the report test renders in headless Chromium: install Debian's chromium "
        + "(apt-get install chromium; .ci/run does) or set KPI_CHROMIUM");
    List<String> cmd = new ArrayList<>(List.of(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + work.resolve("profile")));
    cmd.addAll(List.of(args));
    Path stdout = work.resolve("chromium.out");
    Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(work.resolve("chromium.err").toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
    assertEquals(0, p.exitValue(), Files.readString(work.resolve("chromium.err")));
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }
}
