package io.kpilake.publish.report;

import io.kpilake.spark.Warehouse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes the HTML report of the latest publication to {@code <warehouse>/reports/}: one file per
 * as-of date ({@code kpi-report-<date>.html}) and a copy at {@code latest.html}. Works on any
 * Hadoop file system (local, S3A).
 */
public final class ReportJob {
  public static final String DIR = "reports";
  private final Warehouse wh;
  private final java.util.function.Supplier<ReportData> data;

  /** The report of the warehouse's latest publication (read from its table versions). */
  public ReportJob(Warehouse wh) {
    this.wh = wh;
    this.data = () -> ReportData.load(wh);
  }

  /** The report of what run {@code run} has just published: {@code tables}, as it computed them. */
  public ReportJob(Warehouse wh, java.util.Map<io.kpilake.publish.KpiTable, org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> tables,
      io.kpilake.ops.RunContext run) {
    this.wh = wh;
    this.data = () -> ReportData.of(wh.spark(), tables, run.asOf(), run.runId());
  }

  /** Where the report of {@code asOf} is written. */
  public static String pathFor(Warehouse wh, java.time.LocalDate asOf) {
    return wh.root() + "/" + DIR + "/kpi-report-" + asOf + ".html";
  }

  /** Renders and writes the report; returns its path, or null when nothing is published yet. */
  public String run() {
    ReportData data = this.data.get();
    if (data == null) {
      return null;
    }
    byte[] html = HtmlReport.render(data).getBytes(StandardCharsets.UTF_8);
    String path = pathFor(wh, data.asOf());
    write(path, html);
    write(wh.root() + "/" + DIR + "/latest.html", html);
    return path;
  }

  private void write(String path, byte[] bytes) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(wh.spark().sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(p, true)) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the report " + path + ": " + e.getMessage(), e);
    }
  }
}
