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
  public ReportJob(Warehouse wh, java.util.Map<io.kpilake.contract.KpiTable, org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> tables,
      io.kpilake.ops.RunContext run) {
    this.wh = wh;
    this.data = () -> ReportData.of(wh.spark(), tables, run.asOf(), run.runId());
  }

  /** Where the report of {@code asOf} is written. */
  public static String pathFor(Warehouse wh, java.time.LocalDate asOf) {
    return wh.root() + "/" + DIR + "/kpi-report-" + asOf + ".html";
  }

  /**
   * The path of the report of the warehouse's latest publication when it is already written (its
   * dated file and {@code latest.html} both name the publication's run), else null. A night that
   * recomputes nothing leaves the publication as it was: its report needs no second rendering
   * (which re-read eight tables by time travel: 27 Spark jobs, 10 s on the 40-account fixture).
   */
  public static String upToDate(Warehouse wh) {
    io.kpilake.publish.Publisher.Publication p = io.kpilake.publish.Publisher.latest(wh);
    if (p == null) {
      return null;
    }
    String path = pathFor(wh, p.asOf());
    String stamp = HtmlReport.runStamp(p.asOf(), p.runId());
    return names(wh, path, stamp) && names(wh, wh.root() + "/" + DIR + "/latest.html", stamp) ? path : null;
  }

  /** True when the file at {@code path} exists and contains {@code stamp}. */
  private static boolean names(Warehouse wh, String path, String stamp) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(wh.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        return false;
      }
      try (java.io.InputStream in = fs.open(p)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).contains(stamp);
      }
    } catch (IOException e) {
      return false; // unreadable: render it again
    }
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
