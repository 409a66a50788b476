package io.kpilake.publish.report;

import static io.kpilake.publish.report.Svg.bar;
import static io.kpilake.publish.report.Svg.esc;
import static io.kpilake.publish.report.Svg.line;
import static io.kpilake.publish.report.Svg.money;
import static io.kpilake.publish.report.Svg.pct;
import static io.kpilake.publish.report.Svg.text;

import io.kpilake.publish.report.ReportData.BacktestRow;
import io.kpilake.publish.report.ReportData.Bridge;
import io.kpilake.publish.report.ReportData.BucketCount;
import io.kpilake.publish.report.ReportData.ChurnPoint;
import io.kpilake.publish.report.ReportData.CohortCell;
import io.kpilake.publish.report.ReportData.RetentionPoint;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Renders {@link ReportData} as one self-contained HTML page: inline CSS and server-drawn SVG, no
 * scripts, fonts or images from the network, so it opens from a file, a mail attachment or an
 * object store. Every bar and point keeps its exact value in a {@code data-value} attribute.
 * Deterministic: the same publication gives the same bytes.
 */
public final class HtmlReport {
  static final List<String> BUCKETS = List.of("green", "yellow", "red", "unknown");
  static final Map<String, String> BUCKET_COLORS = Map.of("green", "#43aa8b", "yellow", "#f9c74f", "red", "#f94144",
      "unknown", "#adb5bd");
  static final String UP = "#2a9d8f";
  static final String DOWN = "#e76f51";
  static final String TOTAL = "#264653";
  static final String FX = "#e9c46a";
  static final String VOLUNTARY = "#f4a261";
  static final String INVOLUNTARY = "#8d5a97";
  private static final String[] SERIES = {"#111111", "#2a9d8f", "#e76f51", "#457b9d", "#e9c46a", "#8d5a97", "#6a994e"};

  private HtmlReport() {}

  /** The color a bucket is drawn in. */
  public static String bucketColor(String bucket) {
    return BUCKET_COLORS.getOrDefault(bucket, TOTAL);
  }

  /** The header's as-of date and run, as the report prints them (ReportJob#upToDate looks for it). */
  public static String runStamp(java.time.LocalDate asOf, String runId) {
    return "As of <b id=\"as-of\">" + asOf + "</b> &middot; run <code>" + esc(runId) + "</code>";
  }

  public static String render(ReportData d) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>KPI Lake report as of ").append(d.asOf()).append("</title><style>").append(CSS).append("</style></head><body>\n");
    h.append("<header><h1>KPI Lake report</h1><p>").append(runStamp(d.asOf(), d.runId()))
        .append(" &middot; amounts in the reporting currency</p></header>\n");
    tiles(h, d);
    bridge(h, d.bridges());
    retention(h, d);
    cohorts(h, d.cohorts());
    churn(h, d.churn());
    health(h, d);
    valueAtRisk(h, d);
    h.append("<footer>Definitions: <code>kpi.kpi_catalog</code> and docs/kpis.md. Figures from the Delta versions listed in ")
        .append("<code>ops.published_versions</code> for this run.</footer>\n</body></html>\n");
    return h.toString();
  }

  private static void tiles(StringBuilder h, ReportData d) {
    h.append("<section class=\"tiles\">");
    if (!d.bridges().isEmpty()) {
      Bridge b = d.bridges().get(d.bridges().size() - 1);
      tile(h, "mrr", "MRR " + b.month().substring(0, 7), money(b.end().doubleValue()), b.end().toPlainString());
      BigDecimal arr = b.end().multiply(BigDecimal.valueOf(12));
      tile(h, "arr", "ARR", money(arr.doubleValue()), arr.toPlainString());
      tile(h, "accounts", "Paying accounts", String.format(Locale.ROOT, "%,d", b.endAccounts()), String.valueOf(b.endAccounts()));
    }
    RetentionPoint last = latest(d.retention(), "all");
    if (last != null) {
      tile(h, "nrr", d.retentionWindow() + "-month NRR", pct(last.nrr()), String.valueOf(last.nrr()));
      tile(h, "grr", d.retentionWindow() + "-month GRR", pct(last.grr()), String.valueOf(last.grr()));
    }
    d.horizons().stream().filter(r -> r.horizonDays() == 90).findFirst().ifPresent(r ->
        tile(h, "arr-at-risk-90", "ARR at risk, renewals in 90 days", money(r.arrAtRisk().doubleValue()), r.arrAtRisk().toPlainString()));
    h.append("</section>\n");
  }

  private static void tile(StringBuilder h, String id, String label, String shown, String value) {
    h.append("<div class=\"tile\" id=\"tile-").append(id).append("\" data-value=\"").append(esc(value)).append("\"><span>")
        .append(esc(label)).append("</span><strong>").append(esc(shown)).append("</strong></div>");
  }

  /** A waterfall of the latest month: start, the five movements and FX, end. */
  private static void bridge(StringBuilder h, List<Bridge> bridges) {
    h.append("<section id=\"bridge\"><h2>MRR bridge</h2>");
    if (bridges.isEmpty()) {
      h.append("<p class=\"empty\">No MRR published yet.</p></section>\n");
      return;
    }
    Bridge b = bridges.get(bridges.size() - 1);
    h.append("<p>").append(b.month(), 0, 7).append(": start + new + expansion + reactivation &minus; contraction &minus; churned ")
        .append("&plusmn; FX = end.</p>");
    Map<String, BigDecimal> steps = new LinkedHashMap<>();
    steps.put("start", b.start());
    steps.put("new", b.newMrr());
    steps.put("expansion", b.expansion());
    steps.put("reactivation", b.reactivation());
    steps.put("contraction", b.contraction().negate());
    steps.put("churned", b.churned().negate());
    steps.put("fx", b.fx());
    steps.put("end", b.end());
    double level = 0;
    double max = 0;
    double min = 0;
    for (Map.Entry<String, BigDecimal> e : steps.entrySet()) {
      level = isTotal(e.getKey()) ? e.getValue().doubleValue() : level + e.getValue().doubleValue();
      max = Math.max(max, level);
      min = Math.min(min, level);
    }
    int w = 760;
    int hgt = 320;
    double top = 30;
    double bottom = hgt - 40;
    double scale = (bottom - top) / Math.max(max - min, 1);
    double zero = bottom + min * scale;
    double slot = (w - 40.0) / steps.size();
    h.append(Svg.open(w, hgt, "MRR bridge " + b.month()));
    h.append(line(20, zero, w - 20, zero, "#999", 1));
    level = 0;
    int i = 0;
    for (Map.Entry<String, BigDecimal> e : steps.entrySet()) {
      double v = e.getValue().doubleValue();
      double from = isTotal(e.getKey()) ? 0 : level;
      double to = isTotal(e.getKey()) ? v : level + v;
      level = to;
      String fill = isTotal(e.getKey()) ? TOTAL : e.getKey().equals("fx") ? FX : v >= 0 ? UP : DOWN;
      double x = 20 + i * slot + slot * 0.15;
      double y = zero - Math.max(from, to) * scale;
      double bh = Math.abs(to - from) * scale;
      h.append(bar("bridge", e.getKey(), e.getValue().toPlainString(), x, y, slot * 0.7, bh, fill));
      String label = (isTotal(e.getKey()) ? "" : v >= 0 ? "+" : "\u2212") + money(Math.abs(v));
      h.append(text(x + slot * 0.35, y - 6, "middle", "value", label));
      h.append(text(x + slot * 0.35, hgt - 18, "middle", "axis", e.getKey()));
      i++;
    }
    h.append("</svg>");
    h.append("<table class=\"data\"><tr><th>month</th><th>start</th><th>new</th><th>expansion</th><th>reactivation</th>")
        .append("<th>contraction</th><th>churned</th><th>fx</th><th>end</th><th>accounts</th></tr>");
    for (Bridge r : bridges) {
      h.append("<tr><td>").append(r.month(), 0, 7).append("</td>");
      for (BigDecimal v : List.of(r.start(), r.newMrr(), r.expansion(), r.reactivation(), r.contraction(), r.churned(), r.fx(), r.end())) {
        h.append("<td class=\"n\">").append(money(v.doubleValue())).append("</td>");
      }
      h.append("<td class=\"n\">").append(String.format(Locale.ROOT, "%,d", r.endAccounts())).append("</td></tr>");
    }
    h.append("</table></section>\n");
  }

  private static boolean isTotal(String key) {
    return key.equals("start") || key.equals("end");
  }

  private static void retention(StringBuilder h, ReportData d) {
    h.append("<section id=\"retention\"><h2>").append(d.retentionWindow()).append("-month NRR and GRR by segment</h2>");
    if (d.retention().isEmpty()) {
      h.append("<p class=\"empty\">Not enough history for a retention window yet.</p></section>\n");
      return;
    }
    h.append("<p>Window of ").append(d.retentionWindow()).append(" month(s) ending in each month; <b>all</b> is every segment ")
        .append("together. Ratios from summed components.</p><div class=\"row\">");
    lineChart(h, "nrr", "NRR", d.retention(), RetentionPoint::nrr);
    lineChart(h, "grr", "GRR", d.retention(), RetentionPoint::grr);
    h.append("</div></section>\n");
  }

  private static void lineChart(StringBuilder h, String id, String title, List<RetentionPoint> points,
      ToDoubleFunction<RetentionPoint> value) {
    List<String> months = new ArrayList<>(new TreeSet<>(points.stream().map(RetentionPoint::month).toList()));
    Map<String, List<RetentionPoint>> bySegment = new LinkedHashMap<>();
    bySegment.put("all", new ArrayList<>());
    for (RetentionPoint p : points) {
      bySegment.computeIfAbsent(p.segment(), k -> new ArrayList<>()).add(p);
    }
    double lo = points.stream().mapToDouble(value).min().orElse(0);
    double hi = points.stream().mapToDouble(value).max().orElse(1);
    double pad = Math.max((hi - lo) * 0.1, 0.02);
    lo -= pad;
    hi += pad;
    int w = 520;
    int hgt = 300;
    double left = 56;
    double right = w - 40;
    double top = 20;
    double bottom = hgt - 60;
    double sx = months.size() > 1 ? (right - left) / (months.size() - 1) : 0;
    final double low = lo;
    final double span = hi - lo;
    java.util.function.DoubleUnaryOperator y = v -> bottom - (v - low) / span * (bottom - top);
    h.append("<figure id=\"").append(id).append("\"><figcaption>").append(title).append("</figcaption>");
    h.append(Svg.open(w, hgt, title + " by segment"));
    for (int g = 0; g <= 4; g++) {
      double v = lo + span * g / 4;
      h.append(line(left, y.applyAsDouble(v), right, y.applyAsDouble(v), "#e5e5e5", 1));
      h.append(text(left - 6, y.applyAsDouble(v) + 4, "end", "axis", pct(v)));
    }
    for (int i = 0; i < months.size(); i++) {
      if (months.size() <= 6 || i % 2 == (months.size() - 1) % 2) {
        h.append(text(left + i * sx, bottom + 16, "middle", "axis", months.get(i).substring(0, 7)));
      }
    }
    int s = 0;
    for (Map.Entry<String, List<RetentionPoint>> e : bySegment.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      String color = SERIES[s % SERIES.length];
      StringBuilder path = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      for (RetentionPoint p : e.getValue()) {
        double px = left + months.indexOf(p.month()) * sx;
        double py = y.applyAsDouble(value.applyAsDouble(p));
        path.append(path.length() == 0 ? "M" : " L").append(Svg.num(px)).append(' ').append(Svg.num(py));
        dots.append("<circle class=\"point\" data-series=\"").append(esc(e.getKey())).append("\" data-key=\"").append(p.month())
            .append("\" data-value=\"").append(value.applyAsDouble(p)).append("\" cx=\"").append(Svg.num(px)).append("\" cy=\"")
            .append(Svg.num(py)).append("\" r=\"3\" fill=\"").append(color).append("\"><title>").append(esc(e.getKey())).append(' ')
            .append(p.month(), 0, 7).append(": ").append(pct(value.applyAsDouble(p))).append("</title></circle>");
      }
      h.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"")
          .append(e.getKey().equals("all") ? 3 : 1.5).append("\"/>").append(dots);
      h.append("<rect x=\"").append(Svg.num(left + s * 80)).append("\" y=\"").append(hgt - 22).append("\" width=\"10\" height=\"10\" fill=\"")
          .append(color).append("\"/>").append(text(left + s * 80 + 14, hgt - 13, "start", "axis", e.getKey()));
      s++;
    }
    h.append("</svg></figure>");
  }

  /** Revenue retention of each cohort k months after its start month, as a colored grid. */
  private static void cohorts(StringBuilder h, List<CohortCell> cells) {
    h.append("<section id=\"cohorts\"><h2>Cohort revenue retention</h2>");
    if (cells.isEmpty()) {
      h.append("<p class=\"empty\">No cohorts yet.</p></section>\n");
      return;
    }
    int maxK = cells.stream().mapToInt(CohortCell::k).max().orElse(0);
    Map<String, Map<Integer, CohortCell>> grid = new java.util.TreeMap<>();
    for (CohortCell c : cells) {
      grid.computeIfAbsent(c.cohort(), k -> new java.util.TreeMap<>()).put(c.k(), c);
    }
    h.append("<p>MRR of each cohort's accounts k months after their first paying month, over their MRR in that month ")
        .append("(all segments). Hover a cell for logo retention.</p><table class=\"heatmap\"><tr><th>cohort</th><th>accounts</th>");
    for (int k = 0; k <= maxK; k++) {
      h.append("<th>").append(k).append("</th>");
    }
    h.append("</tr>");
    for (Map.Entry<String, Map<Integer, CohortCell>> row : grid.entrySet()) {
      CohortCell first = row.getValue().values().iterator().next();
      h.append("<tr><th>").append(row.getKey(), 0, 7).append("</th><td class=\"n\">").append(first.cohortAccounts()).append("</td>");
      for (int k = 0; k <= maxK; k++) {
        CohortCell c = row.getValue().get(k);
        if (c == null || c.revenueRetention() == null) {
          h.append("<td></td>");
        } else {
          h.append("<td class=\"cell\" data-series=\"").append(row.getKey()).append("\" data-key=\"").append(k).append("\" data-value=\"")
              .append(c.revenueRetention()).append("\" style=\"background:").append(heat(c.revenueRetention())).append("\" title=\"logo retention ")
              .append(pct(c.logoRetention())).append("\">").append(String.format(Locale.ROOT, "%.0f%%", 100 * c.revenueRetention()))
              .append("</td>");
        }
      }
      h.append("</tr>");
    }
    h.append("</table></section>\n");
  }

  /** 0.5 or less: red; 1.0: white; 1.5 or more: green. */
  static String heat(double v) {
    double t = Math.max(-1, Math.min(1, (v - 1.0) / 0.5));
    int r;
    int g;
    int b;
    if (t < 0) {
      r = 255;
      g = (int) Math.round(255 + t * (255 - 110));
      b = (int) Math.round(255 + t * (255 - 100));
    } else {
      r = (int) Math.round(255 - t * (255 - 67));
      g = (int) Math.round(255 - t * (255 - 170));
      b = (int) Math.round(255 - t * (255 - 139));
    }
    return String.format(Locale.ROOT, "rgb(%d,%d,%d)", r, g, b);
  }

  /** Churned MRR per month, stacked: involuntary below, voluntary above. */
  private static void churn(StringBuilder h, List<ChurnPoint> points) {
    h.append("<section id=\"churn\"><h2>Churned MRR, voluntary and involuntary</h2>");
    if (points.isEmpty()) {
      h.append("<p class=\"empty\">No churn months yet.</p></section>\n");
      return;
    }
    double max = points.stream().mapToDouble(p -> p.voluntaryMrr().doubleValue() + p.involuntaryMrr().doubleValue()).max().orElse(0);
    int w = 760;
    int hgt = 300;
    double top = 24;
    double bottom = hgt - 50;
    double scale = (bottom - top) / Math.max(max, 1);
    double slot = (w - 40.0) / points.size();
    h.append(Svg.open(w, hgt, "Churned MRR by type"));
    h.append(line(20, bottom, w - 20, bottom, "#999", 1));
    for (int i = 0; i < points.size(); i++) {
      ChurnPoint p = points.get(i);
      double x = 20 + i * slot + slot * 0.15;
      double inv = p.involuntaryMrr().doubleValue() * scale;
      double vol = p.voluntaryMrr().doubleValue() * scale;
      h.append(bar("involuntary", p.month(), p.involuntaryMrr().toPlainString(), x, bottom - inv, slot * 0.7, inv, INVOLUNTARY));
      h.append(bar("voluntary", p.month(), p.voluntaryMrr().toPlainString(), x, bottom - inv - vol, slot * 0.7, vol, VOLUNTARY));
      h.append(text(x + slot * 0.35, bottom - inv - vol - 5, "middle", "value",
          money(p.voluntaryMrr().doubleValue() + p.involuntaryMrr().doubleValue())));
      h.append(text(x + slot * 0.35, bottom + 16, "middle", "axis", p.month().substring(2, 7)));
      h.append(text(x + slot * 0.35, bottom + 30, "middle", "axis", p.voluntaryAccounts() + "v/" + p.involuntaryAccounts() + "i"));
    }
    h.append("<rect x=\"20\" y=\"4\" width=\"10\" height=\"10\" fill=\"").append(VOLUNTARY).append("\"/>")
        .append(text(34, 13, "start", "axis", "voluntary"))
        .append("<rect x=\"110\" y=\"4\" width=\"10\" height=\"10\" fill=\"").append(INVOLUNTARY).append("\"/>")
        .append(text(124, 13, "start", "axis", "involuntary (payment failure)"));
    h.append("</svg><p class=\"note\">Under each month: churned accounts, voluntary (v) / involuntary (i).</p></section>\n");
  }

  private static void health(StringBuilder h, ReportData d) {
    h.append("<section id=\"health\"><h2>Account health</h2><div class=\"row\">");
    h.append("<figure id=\"buckets\"><figcaption>Active accounts by bucket")
        .append(d.healthSnapshot() == null ? "" : ", " + d.healthSnapshot()).append("</figcaption>");
    long maxAccounts = d.buckets().stream().mapToLong(BucketCount::accounts).max().orElse(0);
    horizontalBars(h, "buckets", d.buckets().stream().map(b -> new Hbar(b.bucket(), String.valueOf(b.accounts()),
        b.accounts(), String.format(Locale.ROOT, "%,d accounts, MRR %s", b.accounts(), money(b.mrr().doubleValue())))).toList(),
        Math.max(maxAccounts, 1));
    h.append("</figure>");
    h.append("<figure id=\"backtest\"><figcaption>Back-test: churn within 90 days by bucket")
        .append(d.backtestSnapshot() == null ? "" : ", snapshot " + d.backtestSnapshot()).append("</figcaption>");
    if (d.backtest().isEmpty()) {
      h.append("<p class=\"empty\">No snapshot is 90 days old yet.</p>");
    } else {
      double maxRate = d.backtest().stream().mapToDouble(r -> r.churnRate() == null ? 0 : r.churnRate()).max().orElse(0);
      horizontalBars(h, "backtest", d.backtest().stream().map(r -> new Hbar(r.bucket(), r.churnRate() == null ? "" : String.valueOf(r.churnRate()),
          r.churnRate() == null ? 0 : r.churnRate(), pct(r.churnRate()) + " (" + r.churned() + " of " + r.accounts() + ")")).toList(),
          Math.max(maxRate, 0.01));
      Double auc = d.backtest().stream().map(BacktestRow::auc).filter(java.util.Objects::nonNull).findFirst().orElse(null);
      h.append("<p id=\"auc\" data-value=\"").append(auc == null ? "" : auc).append("\">AUC ")
          .append(auc == null ? "n/a" : String.format(Locale.ROOT, "%.3f", auc))
          .append(" (0.5 = no signal, 1.0 = perfect ranking of churners below retained accounts)</p>");
    }
    h.append("</figure></div></section>\n");
  }

  private record Hbar(String key, String value, double amount, String label) {}

  private static void horizontalBars(StringBuilder h, String series, List<Hbar> bars, double max) {
    int w = 460;
    int rowH = 34;
    int hgt = bars.size() * rowH + 10;
    double left = 70;
    double width = 230;
    h.append(Svg.open(w, hgt, series));
    for (int i = 0; i < bars.size(); i++) {
      Hbar b = bars.get(i);
      double y = 5 + i * rowH;
      double bw = b.amount() / max * width;
      h.append(text(left - 6, y + 18, "end", "axis", b.key()));
      h.append(bar(series, b.key(), b.value(), left, y + 4, bw, rowH - 10, BUCKET_COLORS.getOrDefault(b.key(), TOTAL)));
      h.append(text(left + bw + 6, y + 18, "start", "value", b.label()));
    }
    h.append("</svg>");
  }

  private static void valueAtRisk(StringBuilder h, ReportData d) {
    h.append("<section id=\"var\"><h2>Value at risk on upcoming renewals</h2>");
    h.append("<table class=\"data\" id=\"horizons\"><tr><th>renewing within</th><th>accounts due</th><th>ARR due</th>")
        .append("<th>accounts at risk</th><th>ARR at risk</th></tr>");
    for (ReportData.HorizonRow r : d.horizons()) {
      h.append("<tr><td>").append(r.horizonDays()).append(" days</td><td class=\"n\">").append(r.accountsDue()).append("</td><td class=\"n\">")
          .append(money(r.arrDue().doubleValue())).append("</td><td class=\"n\">").append(r.accountsAtRisk())
          .append("</td><td class=\"n\" data-value=\"").append(r.arrAtRisk().toPlainString()).append("\">")
          .append(money(r.arrAtRisk().doubleValue())).append("</td></tr>");
    }
    h.append("</table><h3>Top ").append(ReportData.TOP_AT_RISK).append(" accounts at risk by ARR</h3>");
    if (d.atRisk().isEmpty()) {
      h.append("<p class=\"empty\">No renewal within 120 days is at risk.</p></section>\n");
      return;
    }
    h.append("<table class=\"data\" id=\"at-risk\"><tr><th>account</th><th>owner</th><th>segment</th><th>renewal</th><th>days</th>")
        .append("<th>ARR</th><th>health</th><th>bucket</th></tr>");
    for (ReportData.AtRisk r : d.atRisk()) {
      h.append("<tr data-key=\"").append(esc(r.accountId())).append("\"><td>").append(esc(r.accountId())).append("</td><td>")
          .append(esc(r.owner())).append("</td><td>").append(esc(r.segment())).append("</td><td>").append(r.renewalDate())
          .append("</td><td class=\"n\">").append(r.daysToRenewal()).append("</td><td class=\"n\" data-value=\"")
          .append(r.arr().toPlainString()).append("\">").append(money(r.arr().doubleValue())).append("</td><td class=\"n\">")
          .append(r.healthScore() == null ? "" : String.format(Locale.ROOT, "%.1f", r.healthScore()))
          .append("</td><td><span class=\"dot\" style=\"background:").append(BUCKET_COLORS.getOrDefault(r.bucket(), TOTAL))
          .append("\"></span>").append(esc(r.bucket())).append("</td></tr>");
    }
    h.append("</table></section>\n");
  }

  private static RetentionPoint latest(List<RetentionPoint> points, String segment) {
    RetentionPoint out = null;
    for (RetentionPoint p : points) {
      if (p.segment().equals(segment) && (out == null || p.month().compareTo(out.month()) > 0)) {
        out = p;
      }
    }
    return out;
  }

  private static final String CSS = String.join("",
      "body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;",
      "background:#fafafa;padding:0 16px}h1{margin:0 0 4px}h2{margin:0 0 8px;font-size:20px}h3{font-size:16px}",
      "header p{color:#555;margin:0 0 16px}section{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:16px;",
      "margin:0 0 16px}.tiles{display:flex;flex-wrap:wrap;gap:12px;background:none;border:none;padding:0}",
      ".tile{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:12px 16px;min-width:150px}",
      ".tile span{display:block;color:#666;font-size:13px}.tile strong{font-size:24px}",
      ".row{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{font-weight:600;margin:0 0 6px}",
      "svg text{font-size:12px;fill:#333}svg text.axis{fill:#666;font-size:11px}",
      "table{border-collapse:collapse;font-size:13px;margin-top:10px}th,td{padding:4px 8px;border-bottom:1px solid #eee;",
      "text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}.heatmap td{text-align:center;min-width:38px;",
      "border:1px solid #fff}.empty,.note{color:#777}.dot{display:inline-block;width:10px;height:10px;border-radius:5px;",
      "margin-right:6px}footer{color:#777;font-size:12px;margin:8px 0 24px}code{font-size:12px}");
}
