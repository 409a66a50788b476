package io.kpilake.publish.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.publish.report.ReportData.AtRisk;
import io.kpilake.publish.report.ReportData.BacktestRow;
import io.kpilake.publish.report.ReportData.Bridge;
import io.kpilake.publish.report.ReportData.BucketCount;
import io.kpilake.publish.report.ReportData.ChurnPoint;
import io.kpilake.publish.report.ReportData.CohortCell;
import io.kpilake.publish.report.ReportData.HorizonRow;
import io.kpilake.publish.report.ReportData.RetentionPoint;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The renderer on hand-made figures: no Spark. */
class HtmlReportTest {
  private static BigDecimal d(String s) {
    return new BigDecimal(s);
  }

  private static ReportData sample() {
    // Bridge: 1000 + 200 + 100 + 0 - 50 - 150 + (-10) = 1090.
    Bridge feb = new Bridge("2024-02-01", d("900.00"), d("100.00"), d("0.00"), d("0.00"), d("0.00"), d("0.00"), d("0.00"), d("1000.00"), 9);
    Bridge mar = new Bridge("2024-03-01", d("1000.00"), d("200.00"), d("100.00"), d("0.00"), d("50.00"), d("150.00"), d("-10.00"),
        d("1090.00"), 10);
    return new ReportData(LocalDate.parse("2024-03-31"), "run-1", List.of(feb, mar), 1,
        List.of(new RetentionPoint("2024-02-01", "all", 1.0, 0.95), new RetentionPoint("2024-03-01", "all", 0.9, 0.8),
            new RetentionPoint("2024-03-01", "smb", 0.85, 0.75)),
        List.of(new CohortCell("2024-01-01", 0, 4, 1.0, 1.0), new CohortCell("2024-01-01", 1, 4, 0.5, 0.75)),
        List.of(new ChurnPoint("2024-03-01", 1, d("100.00"), 2, d("50.00"))),
        LocalDate.parse("2024-03-31"),
        List.of(new BucketCount("green", 6, d("700.00")), new BucketCount("red", 3, d("300.00"))),
        LocalDate.parse("2023-12-31"),
        List.of(new BacktestRow("green", 6, 0, 0.0, 0.875), new BacktestRow("red", 3, 2, 2.0 / 3, 0.875)),
        List.of(new HorizonRow(30, 1, d("1200.00"), 1, d("1200.00")), new HorizonRow(90, 2, d("2400.00"), 1, d("1200.00"))),
        List.of(new AtRisk("acc<1>", "Ann & Bob", "smb", LocalDate.parse("2024-04-15"), 15, d("1200.00"), 42.5, "red")));
  }

  @Test
  void bridgeIsAWaterfallWithHeightsProportionalToTheMovements() {
    String html = HtmlReport.render(sample());
    // Levels: start 1000, +200 -> 1200, +100 -> 1300 (the top), 0, -50 -> 1250, -150 -> 1100, -10 -> 1090, end 1090.
    assertEquals("1000.00", attr(html, "bridge", "start", "data-value"));
    assertEquals("-150.00", attr(html, "bridge", "churned", "data-value"));
    double startH = Double.parseDouble(attr(html, "bridge", "start", "height"));
    double newH = Double.parseDouble(attr(html, "bridge", "new", "height"));
    double churnH = Double.parseDouble(attr(html, "bridge", "churned", "height"));
    assertEquals(0.2, newH / startH, 0.001); // 200 / 1000
    assertEquals(0.15, churnH / startH, 0.001); // 150 / 1000
    // The expansion bar floats from 1200 to 1300: its top is the chart's highest point, the same as the y of level 1300.
    double expansionTop = Double.parseDouble(attr(html, "bridge", "expansion", "y"));
    double startTop = Double.parseDouble(attr(html, "bridge", "start", "y"));
    assertEquals(startTop - 0.3 * startH, expansionTop, 0.02); // 300 above the start bar's top of 1000
    assertTrue(html.contains("\u2212150"), "decreases are labelled with a minus sign");
    assertTrue(html.contains("id=\"tile-arr\" data-value=\"13080.00\""), "ARR = 12 x 1090");
  }

  @Test
  void sectionsCarryTheirValuesAndEscapeText() {
    String html = HtmlReport.render(sample());
    assertEquals("0.9", attr(html, "all", "2024-03-01", "data-value"));
    assertEquals("0.5", attr(html, "2024-01-01", "1", "data-value"));
    assertEquals("50.00", attr(html, "involuntary", "2024-03-01", "data-value"));
    assertEquals("100.00", attr(html, "voluntary", "2024-03-01", "data-value"));
    assertEquals("3", attr(html, "buckets", "red", "data-value"));
    assertTrue(html.contains("id=\"auc\" data-value=\"0.875\""));
    assertTrue(html.contains("acc&lt;1&gt;") && html.contains("Ann &amp; Bob"));
    assertFalse(html.contains("<script"));
    assertEquals(html, HtmlReport.render(sample()), "deterministic");
  }

  @Test
  void emptySectionsSaySo() {
    ReportData empty = new ReportData(LocalDate.parse("2024-01-31"), "run-0", List.of(), 1, List.of(), List.of(), List.of(), null,
        List.of(), null, List.of(), List.of(), List.of());
    String html = HtmlReport.render(empty);
    assertTrue(html.contains("No MRR published yet."));
    assertTrue(html.contains("No snapshot is 90 days old yet."));
    assertTrue(html.contains("No renewal within 120 days is at risk."));
  }

  private static String attr(String html, String series, String key, String name) {
    Matcher m = Pattern.compile("<[a-z]+ [^>]*data-series=\"" + Pattern.quote(series) + "\" data-key=\"" + Pattern.quote(key)
        + "\"[^>]*>").matcher(html);
    assertTrue(m.find(), series + "/" + key);
    Matcher a = Pattern.compile("\\b" + name + "=\"([^\"]*)\"").matcher(m.group());
    assertTrue(a.find(), name + " in " + m.group());
    return a.group(1);
  }
}
